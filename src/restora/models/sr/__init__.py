"""Super-resolution models."""

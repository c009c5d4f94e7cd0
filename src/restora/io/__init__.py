"""restora.io layer."""

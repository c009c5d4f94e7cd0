"""restora.cli layer."""

"""restora.ops layer."""

"""restora.color layer."""

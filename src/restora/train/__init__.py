"""restora.train layer."""

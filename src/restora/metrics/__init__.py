"""restora.metrics layer."""

"""restora.engine layer."""

"""restora.data layer."""

"""restora.losses layer."""

"""restora.models layer."""

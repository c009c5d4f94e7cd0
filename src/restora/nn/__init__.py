"""restora.nn layer."""

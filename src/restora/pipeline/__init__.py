"""restora.pipeline layer."""

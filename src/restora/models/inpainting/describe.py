"""The descriptor every inpainting network shares."""

from __future__ import annotations

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor


def inpaint_descriptor(model: ConfigurableModel) -> ModelDescriptor:
    """``purpose="inpaint"``, ``config["channels"]`` in and out, whole images (no tiling)."""
    channels = model.config["channels"]
    return ModelDescriptor(
        model=model,
        purpose="inpaint",
        in_channels=channels,
        out_channels=channels,
        tile_size=None,
    )

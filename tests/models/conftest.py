"""Tiny versions of every registered model and inputs for them (odd sizes)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from restora.models import list_models

# Per architecture: overrides that make every registered variant tiny. A new architecture
# without an entry here fails test_every_architecture_has_a_tiny_config.
TINY: dict[str, dict[str, Any]] = {
    "unet": {"width": 4},
    "pix2pix": {"width": 4},
    "patchgan": {"width": 4},
    "edsr": {"width": 8, "num_blocks": 2},
    "espcn": {"width": 8},
    "fsrcnn": {"width": 8, "shrink": 4, "mapping_layers": 2},
    "dncnn": {"width": 8},
    "ffdnet": {"width": 8, "depth": 3},
    "restora_denoiser": {"width": 4, "blocks": [1, 1]},
    "restora_sr": {"width": 8, "blocks": 1, "esa_channels": 4},
    "pconv_unet": {"width": 4},
    "gated_net": {"width": 4},
    "refine_net": {"width": 4, "depth": 2},
    "zhang": {"width": 0.0625},
    "dip": {"channels_down": [4, 4, 4], "channels_up": [4, 4, 4], "channels_skip": [2, 2, 2]},
    "face_embed": {"widths": [4, 8], "dim": 8},
}
H, W = 37, 29


def tiny_overrides(name: str) -> dict[str, Any]:
    return TINY[name.split(".")[0]]


def model_inputs(model: nn.Module, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Inputs for ``model`` at the odd size 37x29: (image,) or (image, hole_mask)."""
    if model.arch in ("zhang_eccv16", "zhang_siggraph17"):  # CIE L in [0, 100] (+ ab hints)
        lightness = 100.0 * torch.rand(1, 1, H, W, generator=generator)
        if model.arch == "zhang_eccv16":
            return (lightness,)
        hints = 40.0 * torch.randn(1, 2, H, W, generator=generator)
        mask = torch.zeros(1, 1, H, W)
        mask[..., 5, 7] = mask[..., 20, 11] = 1.0
        return lightness, hints, mask
    if model.arch == "face_embed":  # a gray aligned face -> an embedding vector
        return (torch.rand(1, 1, H, W, generator=generator),)
    cfg = model.config
    channels = cfg.get("in_channels", cfg.get("channels"))
    image = torch.rand(1, channels, H, W, generator=generator)
    if model.arch in ("pconv_unet", "gated_net", "refine_net"):
        mask = torch.zeros(1, 1, H, W)
        mask[..., 10:25, 8:20] = 1.0
        return image, mask
    return (image,)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "model_name" in metafunc.fixturenames:
        metafunc.parametrize("model_name", list_models())

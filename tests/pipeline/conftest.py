from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def photo() -> torch.Tensor:
    """A (1, 3, 192, 256) photo-like image: smooth shading plus mild texture, deterministic."""
    g = torch.Generator().manual_seed(3)
    y, x = torch.meshgrid(torch.linspace(0, 1, 192), torch.linspace(0, 1, 256), indexing="ij")
    base = torch.stack([0.3 + 0.5 * x, 0.2 + 0.6 * y, 0.6 - 0.3 * x * y])
    texture = torch.nn.functional.avg_pool2d(torch.rand(1, 3, 192, 256, generator=g), 5, 1, 2)
    return (base.unsqueeze(0) * 0.85 + 0.15 * texture).clamp(0, 1)


@pytest.fixture(scope="module")
def scratched(photo) -> tuple[torch.Tensor, torch.Tensor]:
    """``photo`` with two bright vertical scratches and dark dust; returns (damaged, true mask)."""
    mask = torch.zeros(1, 1, *photo.shape[-2:])
    mask[..., 20:170, 60:62] = 1
    mask[..., 10:180, 150:153] = 1
    rng = np.random.default_rng(0)
    for y, x in rng.integers(10, 180, size=(12, 2)):
        mask[..., y : y + 3, x : x + 3] = 1
    damaged = torch.where(mask > 0, torch.full_like(photo, 0.97), photo)
    return damaged, mask


@pytest.fixture
def tiny_dip(monkeypatch):
    """Make ``inpaint.method = "dip"`` use a small net (5 iterations unless
    ``inpaint.dip_iterations`` says otherwise), so a fit takes well under a second."""
    from restora.models.dip import presets
    from restora.pipeline.stages import inpaint_dip

    tiny = presets.get_preset("default_inpaint").with_overrides(
        {
            "iterations": 5,
            "net.channels_down": [8, 8, 8],
            "net.channels_up": [8, 8, 8],
            "net.channels_skip": [2, 2, 2],
        }
    )
    monkeypatch.setitem(presets.PRESETS, "tiny_inpaint", tiny)
    monkeypatch.setattr(inpaint_dip, "PRESET", "tiny_inpaint")
    torch.set_num_threads(1)

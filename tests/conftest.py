"""Shared fixtures: the ../shared folder (skip with a reason when absent) and small images."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from restora.core.paths import shared_dir


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder; tests that need it skip with a clear reason when it is absent."""
    path = shared_dir()
    if path is None:
        pytest.skip("../shared (or $RESTORA_SHARED) not found: reference data unavailable")
    return path


@pytest.fixture
def rng() -> torch.Generator:
    return torch.Generator().manual_seed(0)


@pytest.fixture
def smooth_image() -> torch.Tensor:
    """A (1, 3, 64, 80) smooth colour image in [0, 1], deterministic."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 80), indexing="ij")
    img = torch.stack([x, y, 0.5 + 0.4 * torch.sin(6.0 * x * y)], 0)
    return img.unsqueeze(0).clamp(0, 1).float()

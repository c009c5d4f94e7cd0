"""The realistic SR degradation: shapes, 8-bit output, seeding, and each step doing its part."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.core.errors import ConfigError
from restora.data.downscale import bicubic_downscale
from restora.data.sr_degradation import RealisticSRDegradation
from restora.data.tasks import build_task


def _photo() -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    small = torch.rand(1, 3, 32, 24, generator=g)
    return torch.nn.functional.interpolate(small, size=(64, 48), mode="bicubic").clamp(0, 1)


def test_with_every_step_off_it_is_the_quantized_bicubic_reduction():
    off = RealisticSRDegradation(scale=4, blur_p=0, noise_p=0, jpeg_p=0)
    clean = _photo()
    lr = off(clean, np.random.default_rng(0))
    assert lr.shape == (1, 3, 16, 12)
    assert torch.equal(lr, bicubic_downscale(clean, 4, quantize=True))


def test_output_is_8_bit_seeded_and_degraded():
    full = RealisticSRDegradation(scale=4, blur_p=1, noise_p=1, jpeg_p=1, noise=(8.0, 8.0))
    clean = _photo()
    a = full(clean, np.random.default_rng(5))
    b = full(clean, np.random.default_rng(5))
    c = full(clean, np.random.default_rng(6))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(a, torch.round(a * 255) / 255) and a.min() >= 0 and a.max() <= 1
    reference = bicubic_downscale(clean, 4, quantize=True)
    error = (a - reference).pow(2).mean().sqrt() * 255
    assert error > 4  # noise of 8 levels plus blur and JPEG, not a no-op


def test_blur_alone_softens_the_image():
    blur = RealisticSRDegradation(scale=2, blur=(2.0, 2.0), blur_p=1, noise_p=0, jpeg_p=0)
    clean = _photo()
    sharp = bicubic_downscale(clean, 2, quantize=True)
    soft = blur(clean, np.random.default_rng(0))
    detail = lambda x: (x[..., 1:, :] - x[..., :-1, :]).abs().mean()  # noqa: E731
    assert detail(soft) < 0.8 * detail(sharp)


def test_bad_options_raise():
    with pytest.raises(ValueError, match="blur"):
        RealisticSRDegradation(blur=(2.0, 1.0))
    with pytest.raises(ValueError, match="jpeg_p"):
        RealisticSRDegradation(jpeg_p=1.5)
    with pytest.raises(ConfigError, match="task.realistic"):
        build_task("sr", {"downscale": "realistic", "realistic": {"sigma": 1}})
    with pytest.raises(ValueError, match="realistic"):
        build_task("sr", {"downscale": "bicubic", "realistic": {"noise": [1, 2]}})


def test_sr_task_uses_it():
    task = build_task("sr", {"scale": 4, "downscale": "realistic", "realistic": {"jpeg_p": 0}})
    pair = task.make_pair(_photo(), np.random.default_rng(1))
    assert pair.input.shape == (3, 16, 12) and pair.target.shape == (3, 64, 48)

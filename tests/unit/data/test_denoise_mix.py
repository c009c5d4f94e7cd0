"""The ``denoise_mix`` preset: AWGN level, gray samples, grain and JPEG, reproducible draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.core.errors import ConfigError
from restora.data.denoise_mix import DenoiseMixTask
from restora.data.tasks import build_task


def _clean() -> torch.Tensor:
    return torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(0)) * 0.6 + 0.2


def test_plain_awgn_has_the_drawn_sigma_and_is_not_clipped():
    task = DenoiseMixTask(
        sigma=(25.0, 25.0), gray_probability=0, grain_probability=0, jpeg_probability=0
    )
    pair = task.make_pair(_clean(), np.random.default_rng(1))
    noise = pair.input - pair.target
    assert pair.meta == {"sigma": 25.0, "gray": False, "grain": 0.0, "jpeg": 0}
    assert abs(float(noise.std()) * 255 - 25.0) < 1.0
    assert float(pair.input.min()) < 0 or float(pair.input.max()) > 1  # unclipped
    torch.testing.assert_close(pair.target, _clean()[0])


def test_gray_samples_share_one_noise_field():
    task = DenoiseMixTask(sigma=(30.0, 30.0), gray_probability=1.0, grain_probability=0)
    pair = task.make_pair(_clean(), np.random.default_rng(2))
    assert pair.meta["gray"] is True
    noise = pair.input - pair.target
    torch.testing.assert_close(noise[0], noise[1])
    torch.testing.assert_close(pair.target[0], pair.target[2])
    luma = 0.299 * _clean()[0, 0] + 0.587 * _clean()[0, 1] + 0.114 * _clean()[0, 2]
    torch.testing.assert_close(pair.target[0], luma)


def test_grain_and_jpeg_change_the_input_and_are_recorded():
    task = DenoiseMixTask(
        sigma=(0.0, 0.0), gray_probability=0, grain_probability=1.0, jpeg_probability=1.0
    )
    ramp = torch.linspace(0.2, 0.8, 64)
    smooth = torch.stack(
        [ramp[:, None] * ramp[None, :], ramp.expand(64, 64), (1 - ramp[:, None]).expand(64, 64)]
    )
    pair = task.make_pair(smooth[None], np.random.default_rng(3))
    assert 3.0 <= pair.meta["grain"] <= 15.0 and 40 <= pair.meta["jpeg"] <= 95
    assert float((pair.input * 255 - (pair.input * 255).round()).abs().max()) < 1e-3  # 8 bits
    error = float((pair.input - pair.target).square().mean().sqrt()) * 255
    assert 1.0 < error < 20.0


def test_same_rng_same_pair():
    task = DenoiseMixTask(gray_probability=0.5, grain_probability=0.5, jpeg_probability=0.5)
    a = task.make_pair(_clean(), np.random.default_rng(7))
    b = task.make_pair(_clean(), np.random.default_rng(7))
    torch.testing.assert_close(a.input, b.input)
    assert a.meta == b.meta


def test_registered_preset_and_bad_options():
    task = build_task("denoise_mix", {"sigma": [0, 50], "gray_probability": 0.2})
    assert isinstance(task, DenoiseMixTask) and task.sigma == (0, 50)
    with pytest.raises(ConfigError):
        build_task("denoise_mix", {"gray_prob": 0.2})
    with pytest.raises(ValueError):
        DenoiseMixTask(jpeg_quality=(0, 50))
    with pytest.raises(ValueError):
        DenoiseMixTask(gray_probability=1.5)

"""Photo aging: each step does what it says, measured; everything is seeded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.data.aging import age_photo, fade, film_grain, resolution_scale, sepia


def _gray(value: float, size: int = 64) -> torch.Tensor:
    return torch.full((1, 3, size, size), value)


def test_sepia_zero_is_identity_and_full_is_brown(smooth_image):
    torch.testing.assert_close(sepia(smooth_image, strength=0.0), smooth_image)
    toned = sepia(smooth_image, strength=1.0)
    r, g, b = toned[0]
    assert bool((r >= g - 1e-6).all()) and bool((g >= b - 1e-6).all())
    assert float((r - b).mean()) > 0.05  # visibly brown, not gray
    # White stays white, black stays black.
    assert torch.allclose(sepia(_gray(1.0), strength=1.0), _gray(1.0))
    assert torch.allclose(sepia(_gray(0.0), strength=1.0), _gray(0.0))


def test_fade_lowers_contrast_lifts_blacks_and_yellows(smooth_image):
    faded = fade(smooth_image, amount=1.0)
    assert float(faded.std()) < 0.8 * float(smooth_image.std())
    assert float(fade(_gray(0.0), amount=1.0).mean()) > 0.2
    white = fade(_gray(1.0), amount=1.0)[0, :, 0, 0]
    assert float(white[2]) < float(white[0]) - 0.1  # blue drops: yellow cast
    torch.testing.assert_close(fade(smooth_image, amount=0.0), smooth_image)


def test_grain_strength_and_seed():
    image = _gray(0.5, 128)
    a = film_grain(image, rng=np.random.default_rng(1), sigma=0.03)
    b = film_grain(image, rng=np.random.default_rng(1), sigma=0.03)
    c = film_grain(image, rng=np.random.default_rng(2), sigma=0.03)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, c)
    assert float((a - image).std()) == pytest.approx(0.03, rel=0.1)
    # Monochrome: the same grain in every channel.
    torch.testing.assert_close(a[:, 0], a[:, 2])


def test_coarse_grain_is_spatially_correlated():
    image = _gray(0.5, 128)
    fine = film_grain(image, rng=np.random.default_rng(0), sigma=0.03)[0, 0] - 0.5
    coarse = film_grain(image, rng=np.random.default_rng(0), sigma=0.03, size=1.5)[0, 0] - 0.5

    def neighbour_correlation(x: torch.Tensor) -> float:
        return float(torch.corrcoef(torch.stack([x[:, :-1].flatten(), x[:, 1:].flatten()]))[0, 1])

    assert abs(neighbour_correlation(fine)) < 0.1
    assert neighbour_correlation(coarse) > 0.6
    assert float(coarse.std()) == pytest.approx(0.03, rel=0.15)


def test_age_photo_seeded_in_range_and_changes_the_image(smooth_image):
    a = age_photo(smooth_image, rng=np.random.default_rng(7))
    b = age_photo(smooth_image, rng=np.random.default_rng(7))
    c = age_photo(smooth_image, rng=np.random.default_rng(8))
    assert a.shape == smooth_image.shape and a.dtype == torch.float32
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert float(a.min()) >= 0 and float(a.max()) <= 1
    assert float((a - smooth_image).abs().mean()) > 0.02


def test_age_photo_with_every_step_off_is_identity(smooth_image):
    out = age_photo(
        smooth_image, rng=np.random.default_rng(0), sepia_strength=0, fade=0, grain=0, blur=0
    )
    torch.testing.assert_close(out, smooth_image)


def test_bad_arguments(smooth_image):
    with pytest.raises(ValueError):
        sepia(smooth_image, strength=1.5)
    with pytest.raises(ValueError):
        fade(smooth_image, amount=-0.1)
    with pytest.raises(ValueError):
        film_grain(smooth_image, rng=np.random.default_rng(0), sigma=-1)
    with pytest.raises(ValueError):
        sepia(torch.rand(2, 3, 8, 8), strength=0.5)
    with pytest.raises(ValueError):
        age_photo(smooth_image, rng=np.random.default_rng(0), fade=-0.5)


def test_resolution_scale():
    assert resolution_scale(321, 481) == 1.0
    assert resolution_scale(4000, 6000) == pytest.approx((4000 / 512) ** 0.5)

"""Classical damage detector: finds drawn scratches and dust, stays quiet on clean grain."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.data.aging import age_photo, film_grain
from restora.metrics.segmentation import iou, precision_recall
from restora.ops.damage import detect_damage_classical


def _smooth(height: int = 160, width: int = 200, grain: float = 0.0, seed: int = 0) -> torch.Tensor:
    """Smooth colour gradient (1, 3, H, W) with optional Gaussian grain of std ``grain``."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = 0.45 + 0.15 * np.sin(x / 45.0) * np.cos(y / 60.0)
    rgb = np.stack([base * 1.05, base, base * 0.85])
    rgb += grain * np.random.default_rng(seed).standard_normal((1, height, width), dtype=np.float32)
    return torch.from_numpy(np.clip(rgb, 0, 1)).unsqueeze(0)


def _scratch(image: torch.Tensor, *, x0: float, width: float, value: float, opacity: float = 0.8):
    """Composite an antialiased, 2-degree slanted scratch over rows 15..H-15 (as the synthesizer
    does: ``out = image * (1 - a) + value * a``); return the image and the mask of pixels that
    changed by more than 0.06."""
    _, _, height, w = image.shape
    rows = torch.arange(height, dtype=torch.float32)[:, None]
    cols = torch.arange(w, dtype=torch.float32)[None, :]
    centre = x0 + 0.035 * rows
    coverage = (width / 2 + 0.5 - (cols - centre).abs()).clamp(0, 1)
    coverage[:15], coverage[height - 15 :] = 0, 0
    alpha = opacity * coverage
    out = image * (1 - alpha) + value * alpha
    changed = ((out - image).abs().amax(dim=1, keepdim=True) > 0.06).float()
    return out, changed


def _with_lines(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A bright 2-px and a dark 3-px scratch; returns the image and both true masks."""
    image, bright = _scratch(image, x0=60, width=2, value=0.95)
    image, dark = _scratch(image, x0=140, width=3, value=0.05)
    return image, bright, dark


@pytest.mark.parametrize("grain", [0.0, 0.02])
def test_finds_bright_and_dark_scratch(grain):
    image, bright, dark = _with_lines(_smooth(grain=grain))
    mask = detect_damage_classical(image)
    assert mask.shape == (1, 1, 160, 200) and mask.dtype == torch.float32
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    for truth in (bright, dark):
        band = truth.amax(dim=2, keepdim=True)  # the columns this scratch crosses
        assert iou(mask * band, truth).item() > 0.7
    precision, recall = precision_recall(mask, torch.maximum(bright, dark))
    assert recall.item() > 0.9 and precision.item() > 0.8


def test_finds_dust_specks():
    image = _smooth(grain=0.01)
    truth = torch.zeros(1, 1, 160, 200)
    rng = np.random.default_rng(0)
    for i in range(12):
        y, x = int(rng.integers(20, 140)), int(rng.integers(20, 180))
        truth[..., y : y + 3, x : x + 3] = 1
        image[..., y : y + 3, x : x + 3] = 0.05 if i % 2 else 0.95
    mask = detect_damage_classical(image)
    precision, recall = precision_recall(mask, truth)
    assert recall.item() > 0.7 and precision.item() > 0.4


@pytest.mark.parametrize("grain", [0.01, 0.03, 0.05])
def test_quiet_on_clean_grainy_image(grain):
    mask = detect_damage_classical(_smooth(320, 400, grain=grain, seed=3))
    assert mask.mean().item() < 0.01


def test_quiet_on_aged_image_with_coarse_grain():
    rng = np.random.default_rng(0)
    aged = age_photo(_smooth(320, 400), rng=rng, sepia_strength=0.8, fade=0.3, blur=0.5, grain=0.0)
    grainy = film_grain(aged, rng=rng, sigma=0.04, size=1.2)
    assert detect_damage_classical(grainy).mean().item() < 0.01


def test_quiet_on_flat_and_tiny_images():
    assert detect_damage_classical(torch.full((1, 3, 64, 64), 0.5)).sum().item() == 0
    for size in [(1, 1), (5, 7), (16, 40)]:
        assert detect_damage_classical(torch.rand(1, 3, *size)).shape == (1, 1, *size)


def test_higher_sensitivity_flags_a_superset():
    image, _, _ = _with_lines(_smooth(grain=0.03, seed=1))
    # Add a faint scratch that only a sensitive setting should find.
    image, _ = _scratch(image, x0=100, width=2, value=1.0, opacity=0.2)
    masks = [detect_damage_classical(image, sensitivity=s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)]
    counts = [float(m.sum()) for m in masks]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    for lower, higher in zip(masks, masks[1:], strict=False):
        assert bool((lower <= higher).all())


def test_batch_equals_single_images():
    a, _, _ = _with_lines(_smooth(grain=0.02, seed=4))
    b = _smooth(grain=0.02, seed=5)
    batch = detect_damage_classical(torch.cat([a, b]))
    torch.testing.assert_close(batch[:1], detect_damage_classical(a))
    torch.testing.assert_close(batch[1:], detect_damage_classical(b))


def test_bad_input():
    with pytest.raises(ValueError):
        detect_damage_classical(torch.rand(1, 3, 8, 8), sensitivity=1.5)
    with pytest.raises(ValueError):
        detect_damage_classical(torch.rand(3, 8, 8))
    with pytest.raises(ValueError):
        detect_damage_classical(torch.rand(1, 3, 8, 8) * 2)

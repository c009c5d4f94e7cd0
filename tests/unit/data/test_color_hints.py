"""Simulated user hints (Zhang et al. SIGGRAPH17): counts, patch sizes, positions, values, and the
colorize preset's 4-channel input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.color.lab import rgb_to_lab
from restora.data.color_hints import sample_hints
from restora.data.tasks import build_task


def ramp_ab(height: int = 40, width: int = 48) -> torch.Tensor:
    """ab = (column index, -row index): every patch mean is known in closed form."""
    rows = torch.arange(height, dtype=torch.float32).view(height, 1).expand(height, width)
    cols = torch.arange(width, dtype=torch.float32).view(1, width).expand(height, width)
    return torch.stack([cols, -rows]).unsqueeze(0)


def test_geometric_count_mean_and_zero_share():
    ab = torch.zeros(1, 2, 16, 16)
    rng = np.random.default_rng(0)
    counts = np.array([sample_hints(ab, rng, p=0.125)[2] for _ in range(2000)])
    # geometric on {0, 1, ...}: mean (1 - p) / p = 7, P(0) = p = 1/8
    assert counts.mean() == pytest.approx(7.0, abs=0.5)
    assert (counts == 0).mean() == pytest.approx(0.125, abs=0.025)
    assert all(sample_hints(ab, rng, p=1.0)[2] == 0 for _ in range(20))
    assert max(sample_hints(ab, rng, p=0.01, max_points=3)[2] for _ in range(20)) <= 3


@pytest.mark.parametrize("location", ["normal", "uniform"])
def test_patches_are_squares_of_the_mean_colour_inside_the_crop(location):
    ab = ramp_ab()
    rng = np.random.default_rng(3)
    seen_sides = set()
    for _ in range(200):
        hints, mask, count = sample_hints(ab, rng, p=0.5, patch=(1, 5), location=location)
        assert hints.shape == ab.shape and mask.shape == (1, 1, 40, 48)
        assert set(mask.unique().tolist()) <= {0.0, 1.0}
        assert (hints * (1 - mask)).abs().max() == 0  # nothing outside the hints
        if count == 1:  # one patch: a filled square of side 1..5 holding its mean ab
            ys, xs = mask[0, 0].nonzero(as_tuple=True)
            top, left = int(ys.min()), int(xs.min())
            side = int(ys.max()) - top + 1
            assert int(xs.max()) - left + 1 == side and int(mask.sum()) == side * side
            assert 1 <= side <= 5
            seen_sides.add(side)
            # mean of a ramp over the square = its centre coordinate
            centre = hints[0, :, top, left].tolist()
            assert centre == pytest.approx([left + (side - 1) / 2, -(top + (side - 1) / 2)])
            assert (
                hints[0, :, top : top + side, left : left + side]
                == hints[0, :, top, left, None, None]
            ).all()
    assert seen_sides == {1, 2, 3, 4, 5}


def test_normal_positions_cluster_at_the_centre():
    ab = torch.zeros(1, 2, 64, 64)
    rng = np.random.default_rng(5)
    centres = {"normal": [], "uniform": []}
    for location in centres:
        for _ in range(400):
            _, mask, count = sample_hints(ab, rng, p=1 / 2, patch=(1, 1), location=location)
            ys, xs = mask[0, 0].nonzero(as_tuple=True)
            centres[location] += ((ys - 31.5).abs() + (xs - 31.5).abs()).tolist()
    # mean L1 distance to the centre: ~2 * 16 * 0.8 for normal (std 16), ~2 * 16 uniform
    assert np.mean(centres["normal"]) < 0.85 * np.mean(centres["uniform"])


def test_bad_options_fail():
    ab = torch.zeros(1, 2, 8, 8)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="p must"):
        sample_hints(ab, rng, p=0.0)
    with pytest.raises(ValueError, match="patch"):
        sample_hints(ab, rng, patch=(3, 2))
    with pytest.raises(ValueError, match="location"):
        sample_hints(ab, rng, location="corner")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sample_hints(torch.zeros(2, 2, 8, 8), rng)
    with pytest.raises(Exception, match="hint_p"):
        build_task("colorize", {"hints": True, "hint_p": 1.5})


def test_colorize_preset_with_hints_gives_four_input_channels():
    clean = torch.rand(1, 3, 32, 40, generator=torch.Generator().manual_seed(0))
    task = build_task("colorize", {"hints": True, "hint_p": 0.2})
    sample = task.make_pair(clean, np.random.default_rng(1))
    assert sample.input.shape == (4, 32, 40) and sample.target.shape == (2, 32, 40)
    lab = rgb_to_lab(clean)[0]
    torch.testing.assert_close(sample.input[0], (lab[0] / 100).clamp(0, 1))
    mask = sample.input[3]
    assert sample.meta["hint_points"] >= 1 and mask.sum() > 0
    # hint values are ab / 110 patch means: within the range of the true ab / 110
    inside = sample.input[1:3][:, mask > 0]
    assert inside.abs().max() <= (lab[1:] / 110).abs().max() + 1e-6
    plain = build_task("colorize", {}).make_pair(clean, np.random.default_rng(1))
    assert plain.input.shape == (1, 32, 40) and "hint_points" not in plain.meta

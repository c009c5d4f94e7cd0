"""Levin et al. colorization by optimization, and pooling sparse hints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.color import image_lightness, rgb_to_lab
from restora.ops.colorize_levin import levin_ab, levin_colorize, levin_weights
from restora.ops.hint_pool import pool_hints

RED_AB = torch.tensor([40.0, 25.0])
BLUE_AB = torch.tensor([5.0, -30.0])  # in gamut at L = 70


def _two_regions(
    height: int = 24, width: int = 32
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    lightness = torch.full((1, 1, height, width), 35.0)
    lightness[..., width // 2 :] = 70.0
    hints = torch.zeros(1, 2, height, width)
    mask = torch.zeros(1, 1, height, width)
    red, blue = (height // 5, width // 8), (3 * height // 4, 7 * width // 8)  # left, right
    hints[0, :, red[0], red[1]] = RED_AB
    mask[0, 0, red[0], red[1]] = 1
    hints[0, :, blue[0], blue[1]] = BLUE_AB
    mask[0, 0, blue[0], blue[1]] = 1
    return lightness, hints, mask


def test_weights_by_hand_on_a_flat_patch_and_an_edge():
    flat = np.full((3, 3), 0.5)
    w, valid = levin_weights(flat)
    assert w.shape == (8, 3, 3) and valid[:, 1, 1].all() and valid[:, 0, 0].sum() == 3
    np.testing.assert_allclose(w[:, 1, 1], 1 / 8)  # equal intensities: equal weights
    np.testing.assert_allclose(w.sum(0), 1.0)
    edge = np.array([[0.2, 0.2, 0.8]] * 3)
    w, _ = levin_weights(edge)
    # centre (1, 1) = 0.2: window var = 3 * 0.6^2 * 6 / 81 ... neighbours at 0.8 weigh less
    values = edge[1, 1] + np.array(
        [
            edge[1 + dy, 1 + dx] - edge[1, 1]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if (dy, dx) != (0, 0)
        ]
    )
    window = edge.ravel()
    sigma2 = max(0.6 * window.var(), 0.0 / np.log(100), 2e-6)
    raw = np.exp(-((values - 0.2) ** 2) / sigma2)
    np.testing.assert_allclose(w[:, 1, 1], raw / raw.sum(), rtol=1e-12)


def test_two_regions_take_their_own_hint_colour():
    lightness, hints, mask = _two_regions()
    ab = levin_ab(lightness, hints, mask)[0]
    left, right = ab[:, :, :16].reshape(2, -1), ab[:, :, 16:].reshape(2, -1)
    assert (left - RED_AB[:, None]).abs().max() < 1.5
    assert (right - BLUE_AB[:, None]).abs().max() < 1.5
    torch.testing.assert_close(ab[:, 4, 4], RED_AB, atol=1e-6, rtol=0)  # hints are kept
    torch.testing.assert_close(ab[:, 18, 28], BLUE_AB, atol=1e-6, rtol=0)


def test_no_hints_gives_gray_and_a_single_hint_colours_everything():
    lightness = 20 + 60 * torch.rand(1, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    assert (
        levin_ab(lightness, torch.zeros(1, 2, 12, 12), torch.zeros(1, 1, 12, 12)).abs().max() == 0
    )
    hints = torch.zeros(1, 2, 12, 12)
    hints[0, :, 6, 6] = RED_AB
    mask = torch.zeros(1, 1, 12, 12)
    mask[0, 0, 6, 6] = 1
    ab = levin_ab(lightness, hints, mask)
    torch.testing.assert_close(
        ab[0].reshape(2, -1), RED_AB[:, None].expand(2, 144), atol=1e-3, rtol=0
    )


def test_levin_colorize_keeps_full_resolution_l_when_solving_small():
    lightness, hints, mask = _two_regions(120, 160)
    gray = (lightness / 100).expand(1, 3, 120, 160).contiguous()
    out = levin_colorize(gray, hints, mask, max_side=64)
    assert out.shape == gray.shape
    assert (image_lightness(out) - image_lightness(gray)).abs().max() < 0.5
    ab = rgb_to_lab(out)[0, 1:]
    assert (ab[:, 20:100, 10:70].mean((1, 2)) - RED_AB).abs().max() < 3
    assert (ab[:, 20:100, 90:150].mean((1, 2)) - BLUE_AB).abs().max() < 3
    with pytest.raises(ValueError, match="max_side"):
        levin_colorize(gray, hints, mask, max_side=4)


def test_pool_hints_keeps_isolated_points_and_averages_cells():
    hints = torch.zeros(1, 2, 8, 8)
    mask = torch.zeros(1, 1, 8, 8)
    hints[0, :, 1, 1] = torch.tensor([10.0, 20.0])
    mask[0, 0, 1, 1] = 1
    hints[0, :, 6, 6] = torch.tensor([-10.0, 0.0])
    hints[0, :, 7, 7] = torch.tensor([30.0, 0.0])
    mask[0, 0, 6:8, 6:8] = torch.eye(2)
    hints[0, :, 3, 5] = 99.0  # not under the mask: ignored
    pooled, pmask = pool_hints(hints, mask, (4, 4))
    assert pmask.sum() == 2 and pmask[0, 0, 0, 0] == 1 and pmask[0, 0, 3, 3] == 1
    assert pooled[0, :, 0, 0].tolist() == [10.0, 20.0]
    assert pooled[0, :, 3, 3].tolist() == [10.0, 0.0]  # mean of the two hinted pixels
    assert pooled[0, :, 1, 2].tolist() == [0.0, 0.0]

"""Synthetic damage: seeded, exact masks, bright and dark marks of the promised kinds."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.data.aging import age_photo
from restora.data.damage import DamageConfig, draw_damage, synthesize_damage


@pytest.fixture
def photo() -> torch.Tensor:
    """A (1, 3, 192, 256) mid-tone image with gentle structure, so bright and dark marks show."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 192), torch.linspace(0, 1, 256), indexing="ij")
    base = 0.35 + 0.3 * torch.sin(3 * x) * torch.cos(2 * y)
    return torch.stack([base, base * 0.9, base * 0.8]).unsqueeze(0).clamp(0, 1)


def test_same_seed_same_output_other_seed_differs(photo):
    a = synthesize_damage(photo, rng=np.random.default_rng(3))
    b = synthesize_damage(photo, rng=np.random.default_rng(3))
    c = synthesize_damage(photo, rng=np.random.default_rng(4))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], c[1])


def test_shapes_dtype_and_binary_mask(photo):
    damaged, mask = synthesize_damage(photo, rng=np.random.default_rng(0))
    assert damaged.shape == photo.shape and mask.shape == (1, 1, 192, 256)
    assert damaged.dtype == torch.float32 and mask.dtype == torch.float32
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert 0.0 <= float(damaged.min()) and float(damaged.max()) <= 1.0
    assert 0.002 < float(mask.mean()) < 0.15


def test_mask_is_exactly_the_changed_pixels(photo):
    config = DamageConfig(age=False)
    aged = age_photo(photo, rng=np.random.default_rng(11))
    damaged, mask = draw_damage(aged, rng=np.random.default_rng(12), config=config)
    change = (damaged - aged).abs().amax(dim=1, keepdim=True)
    inside, outside = mask > 0.5, mask < 0.5
    assert float(change[outside].max()) <= config.min_change + 1e-6
    assert float(change[inside].min()) > config.min_change - 1e-6
    # Most of the image is untouched.
    assert float((change == 0).float().mean()) > 0.8


def test_synthesize_without_aging_equals_draw_damage(photo):
    config = DamageConfig(age=False)
    a = synthesize_damage(photo, rng=np.random.default_rng(5), config=config)
    b = draw_damage(photo, rng=np.random.default_rng(5), config=config)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


@pytest.mark.parametrize("bright_fraction, sign", [(1.0, 1), (0.0, -1)])
def test_bright_fraction_sets_the_kind_of_marks(photo, bright_fraction, sign):
    config = DamageConfig(age=False, hairs=(0, 0), bright_fraction=bright_fraction)
    damaged, mask = draw_damage(photo, rng=np.random.default_rng(1), config=config)
    delta = sign * (damaged - photo).mean(dim=1, keepdim=True)[mask > 0.5]
    assert delta.numel() > 100
    assert float((delta > 0).float().mean()) > 0.99


def test_default_mix_has_bright_and_dark_marks(photo):
    damaged, mask = draw_damage(
        photo, rng=np.random.default_rng(1), config=DamageConfig(dust=(40, 40))
    )
    delta = (damaged - photo).mean(dim=1, keepdim=True)[mask > 0.5]
    assert float((delta > 0.05).float().mean()) > 0.1
    assert float((delta < -0.05).float().mean()) > 0.1


def test_scratches_are_thin_long_and_near_vertical(photo):
    config = DamageConfig(age=False, curved_scratches=(0, 0), dust=(0, 0), hairs=(0, 0))
    _, mask = draw_damage(photo, rng=np.random.default_rng(2), config=config)
    m = (mask[0, 0].numpy() > 0.5).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    widths, heights, areas = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    longest = int(np.argmax(heights))
    assert heights[longest] > 0.25 * 192  # long
    assert widths[longest] < 0.25 * heights[longest]  # near-vertical
    assert areas[longest] / heights[longest] < 7  # thin: mean width under 7 px


def test_dust_only_gives_small_blobs(photo):
    config = DamageConfig(age=False, scratches=(0, 0), curved_scratches=(0, 0), hairs=(0, 0))
    _, mask = draw_damage(photo, rng=np.random.default_rng(9), config=config)
    m = (mask[0, 0].numpy() > 0.5).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    assert count - 1 >= 5
    assert int(stats[1:, 2:4].max()) <= 10  # specks up to ~6 px plus soft edges


def test_no_damage_config_changes_nothing(photo):
    nothing = DamageConfig(
        age=False, scratches=(0, 0), curved_scratches=(0, 0), dust=(0, 0), hairs=(0, 0)
    )
    damaged, mask = synthesize_damage(photo, rng=np.random.default_rng(0), config=nothing)
    assert torch.equal(damaged, photo) and float(mask.sum()) == 0


def test_marks_grow_modestly_with_resolution():
    big = torch.full((1, 3, 1600, 1200), 0.5)
    config = DamageConfig(
        age=False, curved_scratches=(0, 0), dust=(0, 0), hairs=(0, 0), scratches=(3, 3)
    )
    _, mask = draw_damage(big, rng=np.random.default_rng(0), config=config)
    m = (mask[0, 0].numpy() > 0.5).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    mean_width = stats[1:, 4].sum() / stats[1:, 3].sum()
    assert 1.0 < mean_width < 4.0 * 1.6 + 2  # scaled by about sqrt(1200 / 512)


def test_bad_config_and_input():
    with pytest.raises(ValueError):
        DamageConfig(dust=(5, 2))
    with pytest.raises(ValueError):
        DamageConfig(min_change=0)
    with pytest.raises(ValueError):
        synthesize_damage(torch.rand(2, 3, 16, 16), rng=np.random.default_rng(0))

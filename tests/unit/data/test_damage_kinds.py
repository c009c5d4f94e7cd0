"""The later damage kinds (wide scratches, creases, tears, stains, ink) and the print-surface
aging (paper texture, halftone): exact masks, seeded, each looks like what it claims."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest
import torch

from restora.data.aging import color_cast, halftone, paper_texture
from restora.data.damage import (
    DAMAGE_PROFILES,
    NO_DAMAGE,
    DamageConfig,
    draw_damage,
    synthesize_damage,
)

KINDS = {
    "wide_scratches": (2, 2),
    "creases": (1, 1),
    "tears": (2, 2),
    "stains": (2, 2),
    "ink": (3, 3),
}


@pytest.fixture
def photo() -> torch.Tensor:
    """A (1, 3, 192, 256) mid-tone image with gentle structure."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 192), torch.linspace(0, 1, 256), indexing="ij")
    base = 0.4 + 0.25 * torch.sin(3 * x) * torch.cos(2 * y)
    return torch.stack([base, base * 0.9, base * 0.8]).unsqueeze(0).clamp(0, 1)


def only(kind: str, **extra) -> DamageConfig:
    return DamageConfig(**{**NO_DAMAGE, kind: KINDS[kind]}, age=False, **extra)


def components(mask: torch.Tensor) -> tuple[int, np.ndarray]:
    m = (mask[0, 0].numpy() > 0.5).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    return count - 1, stats[1:]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_mask_is_exactly_the_changed_pixels(photo, kind):
    config = only(kind)
    damaged, mask = draw_damage(photo, rng=np.random.default_rng(3), config=config)
    change = (damaged - photo).abs().amax(dim=1, keepdim=True)
    assert float(mask.sum()) > 20, f"{kind} drew nothing"
    assert float(change[mask < 0.5].max()) <= config.min_change + 1e-6
    assert float(change[mask > 0.5].min()) > config.min_change - 1e-6
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert 0.0 <= float(damaged.min()) and float(damaged.max()) <= 1.0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_is_seeded(photo, kind):
    a = draw_damage(photo, rng=np.random.default_rng(5), config=only(kind))
    b = draw_damage(photo, rng=np.random.default_rng(5), config=only(kind))
    c = draw_damage(photo, rng=np.random.default_rng(6), config=only(kind))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], c[1])


def test_wide_scratches_are_wide(photo):
    config = replace(only("wide_scratches"), wide_scratch_width=(8.0, 8.0))
    _, mask = draw_damage(photo, rng=np.random.default_rng(1), config=config)
    # Distance to the nearest unmasked pixel: a wide mark has pixels deep inside it.
    inside = (mask[0, 0].numpy() > 0.5).astype(np.uint8)
    assert cv2.distanceTransform(inside, cv2.DIST_L2, 3).max() >= 2.5


def test_creases_cross_the_photo_with_a_shading_band(photo):
    config = only("creases")
    damaged, mask = draw_damage(photo, rng=np.random.default_rng(2), config=config)
    diff = (damaged - photo).mean(dim=1)[0]
    # A fold darkens one side and lightens the other: both signs appear, beyond the crack.
    assert float((diff < -0.01).float().sum()) > 100 and float((diff > 0.005).float().sum()) > 50
    # The changed pixels (band + crack) extend over most of the photo's diagonal extent.
    ys, xs = np.nonzero(np.abs(diff.numpy()) > 0.005)
    assert max(np.ptp(ys) / 192, np.ptp(xs) / 256) > 0.7


def test_tears_touch_the_border_and_fill_solidly(photo):
    for seed in range(4):
        _, mask = draw_damage(photo, rng=np.random.default_rng(seed), config=only("tears"))
        m = mask[0, 0].numpy() > 0.5
        assert m.any()
        border = np.concatenate([m[0], m[-1], m[:, 0], m[:, -1]])
        assert border.any(), "a missing piece starts at the edge of the print"
        inside = m.astype(np.uint8)
        assert cv2.distanceTransform(inside, cv2.DIST_L2, 3).max() >= 3  # a solid area


def test_stains_have_a_darker_rim_than_inside():
    flat = torch.full((1, 3, 256, 256), 0.7)
    darker_rim = 0
    for seed in range(6):
        config = replace(only("stains"), stains=(1, 1))
        damaged, mask = draw_damage(flat, rng=np.random.default_rng(seed), config=config)
        change = (flat - damaged).mean(dim=1)[0].numpy()  # > 0 where darkened
        stained = (np.abs(change) > 0.01).astype(np.uint8)
        if stained.sum() < 200:
            continue
        depth = cv2.distanceTransform(np.pad(stained, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
        rim, core = change[(depth > 0) & (depth <= 3)], change[depth > 8]
        if core.size and rim.mean() > core.mean():
            darker_rim += 1
    assert darker_rim >= 5


def test_ink_is_coloured_or_dark_strokes(photo):
    damaged, mask = draw_damage(photo, rng=np.random.default_rng(4), config=only("ink"))
    count, stats = components(mask)
    assert count >= 1
    assert float(mask.mean()) < 0.1  # strokes, not areas
    # Ink is darker than the mid-tone photo where it lies fully.
    inked = mask[0, 0] > 0.5
    assert float((damaged - photo).mean(dim=1)[0][inked].mean()) < 0


def test_surface_aging_is_not_damage(photo):
    config = DamageConfig(**NO_DAMAGE, age=False, paper_texture=1.0, halftone=1.0, color_cast=1.0)
    damaged, mask = synthesize_damage(photo, rng=np.random.default_rng(0), config=config)
    assert float((damaged - photo).abs().mean()) > 0.01  # the print surface changed
    assert float(mask.sum()) == 0  # but nothing is damage


def test_paper_texture_and_halftone_functions(photo):
    rng = np.random.default_rng(0)
    textured = paper_texture(photo, rng=rng, strength=0.03)
    ratio = (textured / photo.clamp(min=1e-3)).mean(dim=1)
    assert 0.015 < float(ratio.std()) < 0.06
    again = paper_texture(photo, rng=np.random.default_rng(0), strength=0.03)
    assert torch.equal(textured, again)
    gray = torch.full((1, 3, 64, 64), 0.4)
    printed = halftone(gray, period=4.0, strength=1.0)
    assert abs(float(printed.mean()) - 0.4) < 0.03  # dot area follows the tone
    assert float(printed.std()) > 0.3  # and it is dots
    torch.testing.assert_close(halftone(photo, period=4.0, strength=0.0), photo)
    with pytest.raises(ValueError):
        halftone(photo, period=1.0, strength=0.5)


def test_clean_fraction_one_draws_nothing(photo):
    config = replace(DAMAGE_PROFILES["full"], age=False, clean_fraction=1.0, paper_texture=0.0)
    damaged, mask = synthesize_damage(photo, rng=np.random.default_rng(0), config=config)
    assert float(mask.sum()) == 0 and torch.equal(damaged, photo)


def test_full_profile_mask_agrees_and_classic_is_the_default(photo):
    assert DAMAGE_PROFILES["classic"] == DamageConfig()
    full = replace(DAMAGE_PROFILES["full"], age=False)
    damaged, mask = draw_damage(photo, rng=np.random.default_rng(9), config=full)
    change = (damaged - photo).abs().amax(dim=1, keepdim=True)
    assert torch.equal(mask, (change > full.min_change).float())
    assert 0.01 < float(mask.mean()) < 0.4


def test_new_options_are_checked():
    with pytest.raises(ValueError):
        DamageConfig(tears=(2, 1))
    with pytest.raises(ValueError):
        DamageConfig(wide_scratch_width=(0.0, 3.0))
    with pytest.raises(ValueError):
        DamageConfig(halftone=1.5)


def test_color_cast_tints_without_damage(photo):
    cast = color_cast(photo, rng=np.random.default_rng(0), strength=0.1, blotch=20.0)
    again = color_cast(photo, rng=np.random.default_rng(0), strength=0.1, blotch=20.0)
    assert torch.equal(cast, again)
    ratio = cast / photo.clamp(min=1e-3)
    gains = ratio.mean(dim=(2, 3))[0]
    assert float(gains.max() - gains.min()) > 0.02  # the channels moved apart: a tint
    assert float(ratio[:, 0].std()) > 0.01  # and it varies over the image
    speckled = color_cast(photo, rng=np.random.default_rng(0), strength=0.0, speckle=0.04)
    assert 0.02 < float((speckled - photo).std()) < 0.06
    torch.testing.assert_close(color_cast(photo, rng=np.random.default_rng(0), strength=0.0), photo)


def test_dashed_scratches_break_into_pieces_along_the_same_line(photo):
    scratches = DamageConfig(**{**NO_DAMAGE, "scratches": (1, 1)}, age=False, bright_fraction=1.0)
    dashed = replace(scratches, dashed=1.0)
    counts = []
    for seed in range(6):
        whole = synthesize_damage(photo, rng=np.random.default_rng(seed), config=scratches)[1]
        damaged, broken = synthesize_damage(photo, rng=np.random.default_rng(seed), config=dashed)
        counts.append((components(whole)[0], components(broken)[0]))
        # the mask is still exactly the changed pixels; the dashes follow one near-vertical line
        changed = (damaged - photo).abs().amax(dim=1, keepdim=True) > scratches.min_change
        assert torch.equal(broken > 0.5, changed)
        ys, xs = np.nonzero(broken[0, 0].numpy())
        assert np.ptp(ys) > 3 * np.ptp(xs)
        # 0 (the default) draws no extra random numbers: seeded output as before
        plain = replace(dashed, dashed=0.0)
        again = synthesize_damage(photo, rng=np.random.default_rng(seed), config=plain)[1]
        assert torch.equal(again, whole)
    assert all(w == 1 for w, _ in counts)  # one line each ...
    assert sum(b for _, b in counts) >= 4 * len(counts)  # ... against chains of dashes
    with pytest.raises(ValueError, match="dashed"):
        DamageConfig(dashed=1.5)

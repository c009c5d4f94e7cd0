"""Paired crops, flips and rotations keep input, target and mask aligned; seeded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.data.rng import numpy_rng, sample_rng
from restora.data.sample import PairedSample
from restora.data.transforms import (
    augment_sample,
    center_crop,
    dihedral,
    mod_crop,
    paired_flip_rotate,
    paired_random_crop,
    paired_sr_crop,
)


def _coordinates(height: int, width: int) -> torch.Tensor:
    """(2, H, W): channel 0 = row index, channel 1 = column index (unique per pixel)."""
    y, x = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    return torch.stack([y, x]).float()


def test_crop_flip_rotate_keep_a_pixelwise_relation():
    # target = f(input) pixel by pixel; mask = threshold of input. Any paired geometric
    # transform must keep both relations.
    source = torch.rand(3, 37, 53, generator=torch.Generator().manual_seed(0))
    target = 1.0 - source.flip(0)  # per-pixel function of the input
    mask = (source[:1] > 0.5).float()
    for seed in range(16):
        gen = np.random.default_rng(seed)
        x, y, m = paired_random_crop(source, target, mask, size=(20, 31), rng=gen)
        x, y, m = paired_flip_rotate(x, y, m, rng=gen)
        assert x.shape[-2:] in ((20, 31), (31, 20))
        torch.testing.assert_close(y, 1.0 - x.flip(0))
        torch.testing.assert_close(m, (x[:1] > 0.5).float())


def test_dihedral_covers_eight_distinct_symmetries_and_rotates_clockwise():
    grid = _coordinates(4, 4)
    seen = {
        tuple(dihedral(grid, hflip=h, vflip=v, transpose=t).flatten().tolist())
        for h in (False, True)
        for v in (False, True)
        for t in (False, True)
    }
    assert len(seen) == 8
    image = torch.arange(6.0).view(1, 2, 3)
    clockwise = dihedral(image, hflip=False, vflip=True, transpose=True)
    assert torch.equal(clockwise, torch.rot90(image, k=-1, dims=(-2, -1)))
    counter = dihedral(image, hflip=True, vflip=False, transpose=True)
    assert torch.equal(counter, torch.rot90(image, k=1, dims=(-2, -1)))


def test_random_flip_rotate_uses_all_symmetries_evenly():
    grid = _coordinates(3, 3)
    gen = np.random.default_rng(1)
    counts: dict[tuple, int] = {}
    for _ in range(800):
        (out,) = paired_flip_rotate(grid, rng=gen)
        key = tuple(out.flatten().tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 8 and min(counts.values()) > 60  # expected 100 each


def test_sr_crop_sizes_and_alignment():
    hr = _coordinates(96, 120)
    lr = hr[..., ::4, ::4]  # LR pixel (i, j) comes from HR pixel (4i, 4j)
    gen = np.random.default_rng(0)
    for _ in range(10):
        lr_crop, hr_crop = paired_sr_crop(lr, hr, patch=8, scale=4, rng=gen)
        assert lr_crop.shape == (2, 8, 8) and hr_crop.shape == (2, 32, 32)
        torch.testing.assert_close(lr_crop, hr_crop[..., ::4, ::4])
    # A ceil-sized LR (one pixel more than HR / scale) is cropped inside the valid part.
    hr_odd = _coordinates(33, 33)
    lr_odd = torch.zeros(2, 9, 9)
    for _ in range(20):
        _, hr_crop = paired_sr_crop(lr_odd, hr_odd, patch=8, scale=4, rng=gen)
        assert hr_crop.shape == (2, 32, 32)
    with pytest.raises(ValueError, match="larger than the image"):
        paired_sr_crop(lr, hr, patch=40, scale=4, rng=gen)


def test_mod_and_center_crop():
    x = _coordinates(10, 13)
    assert mod_crop(x, 4).shape == (2, 8, 12)
    c = center_crop(x, 4)
    assert c.shape == (2, 4, 4) and float(c[0, 0, 0]) == 3 and float(c[1, 0, 0]) == 4


def test_same_seed_same_crop_and_torch_generators_work():
    x = torch.rand(1, 3, 40, 40)
    a = paired_random_crop(x, size=16, rng=np.random.default_rng(5))[0]
    b = paired_random_crop(x, size=16, rng=np.random.default_rng(5))[0]
    c = paired_random_crop(x, size=16, rng=torch.Generator().manual_seed(5))[0]
    d = paired_random_crop(x, size=16, rng=torch.Generator().manual_seed(5))[0]
    assert torch.equal(a, b) and torch.equal(c, d)
    assert sample_rng(1, 2, 3).random() == sample_rng(1, 2, 3).random()
    assert sample_rng(1, 2, 3).random() != sample_rng(1, 2, 4).random()
    with pytest.raises(TypeError):
        numpy_rng(0)  # type: ignore[arg-type]


def test_augment_sample_transforms_everything_alike():
    grid = _coordinates(6, 6)
    sample = PairedSample(grid, grid * 2, grid[:1] * 3, {"k": 1})
    out = augment_sample(sample, np.random.default_rng(3))
    torch.testing.assert_close(out.target, out.input * 2)
    torch.testing.assert_close(out.mask, out.input[:1] * 3)
    assert out.meta["k"] == 1 and set(out.meta["dihedral"]) == {"hflip", "vflip", "transpose"}

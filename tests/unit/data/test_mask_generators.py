"""Mask generators: binary, seeded, plausible hole ratios; NVIDIA split held out; damage masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.data.free_form import FreeFormMask
from restora.data.masks import BoxMask, DamageMask, MaskMixture, MaskUnion
from restora.data.nvidia_masks import NvidiaMasks
from restora.io import write_mask


def _binary(mask: torch.Tensor, height: int, width: int) -> None:
    assert mask.shape == (1, 1, height, width) and mask.dtype == torch.float32
    assert bool(((mask == 0) | (mask == 1)).all())


def test_free_form_masks_are_binary_seeded_with_sane_hole_ratios():
    gen = np.random.default_rng(0)
    ratios = []
    for _ in range(100):
        mask = FreeFormMask()(256, 256, gen)
        _binary(mask, 256, 256)
        ratios.append(float(mask.mean()))
    # DeepFillv2 strokes on 256x256: a few % to ~40 % holes, never empty or full.
    assert 0.005 < min(ratios) and max(ratios) < 0.6
    assert 0.08 < float(np.mean(ratios)) < 0.3
    a = FreeFormMask()(64, 96, np.random.default_rng(3))
    b = FreeFormMask()(64, 96, np.random.default_rng(3))
    assert torch.equal(a, b) and a.shape == (1, 1, 64, 96)
    # Strokes are thick: a hole pixel's 3x3 neighbourhood is mostly hole too.
    pooled = torch.nn.functional.avg_pool2d(a, 3, 1, 1)
    assert float(pooled[a > 0].mean()) > 0.8


def test_box_masks_cover_the_drawn_fraction():
    gen = np.random.default_rng(1)
    for _ in range(20):
        mask = BoxMask(count=(1, 1), size=(0.25, 0.25))(64, 80, gen)
        _binary(mask, 64, 80)
        assert float(mask.sum()) == 16 * 20


def test_damage_masks_by_kind():
    gen = np.random.default_rng(0)
    scratches = DamageMask(kind="scratches")(256, 256, gen)
    dust = DamageMask(kind="dust")(256, 256, gen)
    for mask in (scratches, dust):
        _binary(mask, 256, 256)
        assert 0.0003 < float(mask.mean()) < 0.1
    # Scratches are long and nearly vertical: far more columns than rows hit fully.
    assert float(scratches[0, 0].mean(0).max()) > 0.3
    assert float(dust[0, 0].mean(0).max()) < 0.3
    a = DamageMask()(96, 96, np.random.default_rng(5))
    assert torch.equal(a, DamageMask()(96, 96, np.random.default_rng(5)))


def test_mixture_and_union():
    box = BoxMask(count=(1, 1), size=(0.5, 0.5))
    empty = BoxMask(count=(1, 1), size=(0.01, 0.01))
    gen = np.random.default_rng(0)
    picked = [float(MaskMixture([box, empty], [1.0, 3.0])(40, 40, gen).mean()) for _ in range(200)]
    share = np.mean([p > 0.2 for p in picked])
    assert 0.18 < share < 0.32  # expected 0.25
    union = MaskUnion([box, box])(40, 40, gen)
    _binary(union, 40, 40)
    assert float(union.mean()) >= 0.25


@pytest.fixture
def mask_folder(tmp_path):
    """12 masks 64x64 whose hole is a band of i+1 rows at the top (255 = hole)."""
    for i in range(12):
        mask = torch.zeros(1, 1, 64, 64)
        mask[..., : i + 1, :] = 1
        write_mask(tmp_path / f"{i:05d}.png", mask)
    return tmp_path


def test_nvidia_masks_split_and_loading(mask_folder):
    test = NvidiaMasks(mask_folder, split="test", test_every=5)
    train = NvidiaMasks(mask_folder, split="train", test_every=5)
    assert [p.name for p in test.paths] == ["00000.png", "00005.png", "00010.png"]
    assert len(train) == 9 and not set(train.paths) & set(test.paths)
    # 255 = hole: file 5 has 6 hole rows.
    assert float(test.load(1).sum()) == 6 * 64
    plain = NvidiaMasks(mask_folder, split="all", augment=False)
    out = plain(32, 32, np.random.default_rng(0))
    _binary(out, 32, 32)
    hole_rows = int(out[0, 0, :, 0].sum())
    assert out[0, 0, :hole_rows].min() == 1 and out[0, 0, hole_rows:].max() == 0
    gen = np.random.default_rng(2)
    for _ in range(20):
        aug = train(48, 40, gen)
        _binary(aug, 48, 40)
        # Flips/rotations keep the band straight: every row or every column is constant.
        assert bool((aug.amax(-1) == aug.amin(-1)).all()) or bool(
            (aug.amax(-2) == aug.amin(-2)).all()
        )


def test_nvidia_held_out_split_on_the_real_masks(shared):
    folder = shared / "train" / "nvidia_irregular_masks_test"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    train, test = NvidiaMasks(folder, split="train"), NvidiaMasks(folder, split="test")
    assert len(train) + len(test) == len(NvidiaMasks(folder, split="all"))
    assert not {p.name for p in train.paths} & {p.name for p in test.paths}
    assert len(test) * 10 == len(train) + len(test)
    mask = test(256, 256, np.random.default_rng(0))
    _binary(mask, 256, 256)
    assert 0.005 < float(mask.mean()) < 0.9


def test_crack_masks_are_thin_networks_and_grow_by_at_most_the_given_pixels() -> None:
    import cv2

    exact = DamageMask(kind="cracks")(256, 256, np.random.default_rng(4))
    assert 0.005 < float(exact.mean()) < 0.5
    # Thin: most mask pixels lie within 2 px of the mask's edge (no large blobs dominate).
    holes = exact[0, 0].numpy().astype(np.uint8)
    depth = cv2.distanceTransform(holes, cv2.DIST_L2, 3)[holes > 0]
    assert float(np.median(depth)) <= 2.0
    grown = [
        DamageMask(kind="cracks", grow=1)(256, 256, np.random.default_rng(s)) for s in range(6)
    ]
    plain = [DamageMask(kind="cracks")(256, 256, np.random.default_rng(s)) for s in range(6)]
    dilated = [torch.nn.functional.max_pool2d(p, 3, stride=1, padding=1) for p in plain]
    # Each grown mask is the exact mask or its 1 px dilation, and both occur.
    same = [torch.equal(g, p) for g, p in zip(grown, plain, strict=True)]
    wider = [torch.equal(g, d) for g, d in zip(grown, dilated, strict=True)]
    assert all(s or w for s, w in zip(same, wider, strict=True))
    assert any(same) and any(wider)
    with pytest.raises(ValueError, match="grow"):
        DamageMask(grow=-1)

"""Masks: 1 = hole, both on-disk conventions, size checks, PNG with 255 = hole."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from tests.unit.io.samples import encoded

from restora.core.errors import ConfigError, RestoraError
from restora.io import MaskSizeError, read_mask, write_mask


def test_white_is_hole_and_threshold_is_half(tmp_path):
    values = np.array([[0, 127, 128, 255]], np.uint8)
    src = tmp_path / "m.png"
    src.write_bytes(encoded(values, "PNG"))
    mask = read_mask(src)
    assert mask.shape == (1, 1, 1, 4) and mask.dtype == torch.float32
    assert mask.flatten().tolist() == [0.0, 0.0, 1.0, 1.0]
    assert read_mask(src, hole_value="black").flatten().tolist() == [1.0, 1.0, 0.0, 0.0]


def test_colour_and_alpha_masks_use_luminance(tmp_path):
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [255, 255, 255], [0, 0, 0]]], np.uint8)
    assert read_mask(rgb).flatten().tolist() == [0.0, 1.0, 1.0, 0.0]  # luma .299 / .587
    strokes = np.zeros((1, 3, 4), np.uint8)
    strokes[0, 0] = [0, 0, 0, 255]  # opaque black
    strokes[0, 1] = [255, 255, 255, 255]  # opaque white stroke
    strokes[0, 2] = [255, 255, 255, 0]  # white but transparent: known
    src = tmp_path / "layer.png"
    src.write_bytes(encoded(strokes, "PNG", "RGBA"))
    assert read_mask(src).flatten().tolist() == [0.0, 1.0, 0.0]
    assert read_mask(src, hole_value="black").flatten().tolist() == [1.0, 0.0, 0.0]


def test_size_mismatch_names_both_sizes(tmp_path):
    src = tmp_path / "m.png"
    src.write_bytes(encoded(np.zeros((200, 300), np.uint8), "PNG"))
    with pytest.raises(MaskSizeError, match="mask is 300x200 but image is 640x480") as info:
        read_mask(src, size=(480, 640))
    assert isinstance(info.value, RestoraError) and isinstance(info.value, ValueError)
    assert read_mask(src, size=(200, 300)).sum() == 0
    with pytest.raises(ConfigError):
        read_mask(src, hole_value="grey")


def test_write_mask_round_trip(tmp_path):
    mask = torch.zeros(1, 1, 5, 6)
    mask[..., 1:3, 2:5] = 1
    out = write_mask(tmp_path / "m.png", mask)
    stored = np.asarray(Image.open(out))
    assert Image.open(out).mode == "L" and set(np.unique(stored)) == {0, 255}
    assert torch.equal(read_mask(out), mask)
    with pytest.raises(RestoraError):
        write_mask(tmp_path / "m.jpg", mask)


def test_dip_mask_is_white_for_known(shared):
    src = shared / "data" / "dip" / "inpainting" / "kate_mask.png"
    mask = read_mask(src, size=(512, 512), hole_value="black")
    reference = np.asarray(Image.open(src).convert("L")) < 128  # independent: dark = hole
    assert np.array_equal(mask[0, 0].numpy().astype(bool), reference)
    assert 0.01 < float(mask.mean()) < 0.10  # SOURCES.md: the kate mask is 96 % white

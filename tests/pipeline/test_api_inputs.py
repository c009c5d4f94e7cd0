"""restora.restore() refuses tensors it cannot work on, with the reason, before any stage."""

from __future__ import annotations

import pytest
import torch

import restora


@pytest.mark.parametrize("stages", [["upscale"], None])
def test_nan_in_a_tensor_is_refused(stages):
    x = torch.rand(1, 3, 64, 64)
    x.view(-1)[:300] = float("nan")  # before: 47,628 NaN pixels out, or a crash in io/tone.py
    options = {"stages": stages, "scale": 2} if stages else {}
    with pytest.raises(ValueError, match=r"image contains NaN or infinity \(300 values\)"):
        restora.restore(x, **options)


def test_infinity_in_an_image_or_a_mask_is_refused():
    x = torch.rand(3, 32, 32)
    x[0, 0, 0] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinity"):
        restora.restore(x, stages=["analyze"])
    mask = torch.zeros(1, 1, 32, 32)
    mask[..., 3, 3] = float("-inf")
    with pytest.raises(ValueError, match=r"mask contains NaN or infinity \(1 value\)"):
        restora.restore(torch.rand(1, 3, 32, 32), mask=mask, stages=["inpaint"])


def test_an_image_one_pixel_tall_is_refused_with_its_size():
    with pytest.raises(ValueError, match="image is 1000x1 pixels"):  # before: "1x512"
        restora.restore(torch.rand(1, 3, 1, 1000), stages=["analyze"])
    assert restora.restore(torch.rand(1, 3, 2, 2), stages=["analyze"]).image.shape[-2:] == (2, 2)

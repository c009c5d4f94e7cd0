"""DIP's skip network: shapes on odd and tiny sizes, layout choices, the registry entries."""

from __future__ import annotations

import pytest
import torch

from restora.models import create_model
from restora.models.dip import DIPSkip

TINY = {"channels_down": [4, 8, 8], "channels_up": [4, 8, 8], "channels_skip": [2, 2, 2]}


@pytest.mark.parametrize("size", [(37, 29), (9, 9), (3, 5), (1, 1), (64, 48)])
def test_output_keeps_any_input_size(size):
    torch.manual_seed(0)
    net = DIPSkip(in_channels=5, out_channels=1, **TINY)
    out = net(torch.rand(1, 5, *size))
    assert out.shape == (1, 1, *size)
    assert 0.0 < out.min() and out.max() < 1.0  # sigmoid


@pytest.mark.parametrize(
    "options",
    [
        {"upsample_mode": "nearest"},
        {"downsample_mode": "avg"},
        {"downsample_mode": "max", "filter_size_down": 5},
        {"channels_skip": [0, 0, 0]},
        {"pad_mode": "zeros", "need_1x1_up": False, "sigmoid": False},
    ],
)
def test_layout_options_on_odd_size(options):
    net = DIPSkip(in_channels=2, **{**TINY, **options})
    out = net(torch.rand(1, 2, 23, 17))
    assert out.shape == (1, 3, 23, 17)
    out.mean().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_min_size_is_the_smallest_side_reflection_allows():
    net = DIPSkip(**TINY)  # 3 levels, 3x3 convs: ceil(s / 8) must exceed 1
    assert net.min_size == 9
    body_only = torch.nn.Sequential(net.body)
    body_only(torch.rand(1, 32, 9, 9))  # runs unpadded
    with pytest.raises((RuntimeError, ValueError)):
        body_only(torch.rand(1, 32, 8, 8))  # one pixel less: a 1x1 map (BatchNorm, reflection)
    assert DIPSkip(**TINY, pad_mode="zeros").min_size == 9  # BatchNorm still needs 2x2


def test_skip_channels_and_parameter_count_follow_the_paper():
    net = create_model("dip.skip")
    assert net.config["channels_down"] == [128] * 5 and net.config["channels_skip"] == [4] * 5
    assert net.config["upsample_mode"] == "bilinear" and net.config["pad_mode"] == "reflect"
    assert 2_100_000 < sum(p.numel() for p in net.parameters()) < 2_300_000
    inpaint = create_model("dip.skip_inpaint")
    assert inpaint.config["channels_skip"] == [128] * 5
    assert inpaint.config["upsample_mode"] == "nearest"
    fast = create_model("dip.skip_fast")
    assert sum(p.numel() for p in fast.parameters()) < sum(p.numel() for p in net.parameters())


def test_bad_layouts_raise():
    with pytest.raises(ValueError, match="same non-zero length"):
        DIPSkip(channels_down=[4, 4], channels_up=[4], channels_skip=[0, 0])
    with pytest.raises(ValueError, match="odd"):
        DIPSkip(**TINY, filter_size_down=4)
    with pytest.raises(ValueError, match="upsample_mode"):
        DIPSkip(**TINY, upsample_mode="bicubic")
    with pytest.raises(TypeError, match="positional"):
        DIPSkip(32)  # keyword-only

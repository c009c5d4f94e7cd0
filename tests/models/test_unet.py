"""U-Net options: norms, bottlenecks, upsampling; sizes that are not multiples of 2**depth."""

from __future__ import annotations

import pytest
import torch

from restora.models import create_model
from restora.nn import pad_to_multiple


@pytest.mark.parametrize("norm", ["batch", "instance", "group", "none"])
@pytest.mark.parametrize("bottleneck", ["none", "dilated", "aspp"])
def test_options_and_tiny_odd_sizes(norm, bottleneck):
    net = create_model(
        "unet.segment", width=4, depth=3, norm=norm, bottleneck=bottleneck, upsampling="transposed"
    ).eval()
    for h, w in [(5, 3), (37, 29)]:
        assert net(torch.rand(1, 3, h, w)).shape == (1, 1, h, w)


def test_padding_is_reflection_then_crop():
    torch.manual_seed(0)
    net = create_model("unet.image2image", width=4, depth=2).eval()
    x = torch.rand(1, 3, 13, 10)
    with torch.no_grad():
        direct = net(x)
        manual = net(pad_to_multiple(x, multiple_of=4)[0])[..., :13, :10]
    torch.testing.assert_close(direct, manual)
    assert 0.0 <= direct.min() and direct.max() <= 1.0  # sigmoid output


def test_segment_descriptor_applies_sigmoid_to_logits():
    torch.manual_seed(0)
    net = create_model("unet.segment", width=4, depth=2).eval()
    x = torch.rand(1, 3, 13, 10)
    with torch.no_grad():
        torch.testing.assert_close(net.describe()(x), torch.sigmoid(net(x)))
    multi = create_model("unet.segment", width=4, depth=2, out_channels=3)
    out = multi.describe()(x)
    torch.testing.assert_close(out.sum(1), torch.ones(1, 13, 10))  # softmax over classes


@pytest.mark.parametrize("name", ["unet.damage", "unet.damage_aspp"])
def test_damage_models_are_shift_consistent_on_their_stride(name):
    """Away from the borders a shift by the total stride (8) shifts the output exactly (so
    aligned tiles agree); the ASPP variant has no image pooling, so this holds for it too."""
    torch.manual_seed(0)
    net = create_model(name, width=4).eval()
    assert net.config["depth"] == 3
    x = torch.rand(1, 3, 272, 272)
    m = 112  # beyond the receptive radius that reaches the reflect-padded border
    with torch.no_grad():
        full = net(x)
        shifted = net(x[..., 8:, 8:])
    torch.testing.assert_close(
        full[..., 8 + m : -m, 8 + m : -m], shifted[..., m:-m, m:-m], atol=1e-5, rtol=0
    )


def test_damage_model_sizes():
    plain = create_model("unet.damage")
    aspp = create_model("unet.damage_aspp")
    count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
    assert 0.3e6 < count(plain) < 0.6e6 and 0.8e6 < count(aspp) < 1.2e6
    assert aspp.config["aspp_pooling"] is False

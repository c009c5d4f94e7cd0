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

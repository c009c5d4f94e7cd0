"""``fuse_conv_bn``: folding batch norms into convs keeps the function, frees the norms."""

from __future__ import annotations

import torch
from torch import nn

from restora.models import create_model
from restora.nn.fusion import fuse_conv_bn


def _with_trained_statistics(model: nn.Module) -> nn.Module:
    """Give every batch norm non-trivial running statistics and affine parameters."""
    g = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=g) * 0.3)
            module.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.1)
            module.weight.data.copy_(torch.randn(n, generator=g))
            module.bias.data.copy_(torch.randn(n, generator=g) * 0.2)
    return model.eval()


def test_fused_unet_matches_and_has_no_batch_norm_left():
    torch.manual_seed(0)
    unet = _with_trained_statistics(create_model("unet.damage"))
    fused = fuse_conv_bn(unet)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in unet.modules()) > 0
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
    x = torch.rand(2, 3, 72, 56)
    with torch.no_grad():
        expected = unet(x)
        plain = fused(x)
        last = fused.to(memory_format=torch.channels_last)(
            x.contiguous(memory_format=torch.channels_last)
        )
    assert torch.allclose(plain, expected, atol=1e-4, rtol=1e-4)
    assert torch.allclose(last, expected, atol=1e-4, rtol=1e-4)
    assert any(isinstance(m, nn.BatchNorm2d) for m in unet.modules())  # original untouched


def test_a_norm_not_after_a_conv_is_kept():
    net = nn.Sequential(nn.ReLU(), nn.BatchNorm2d(3), nn.Conv2d(3, 3, 1)).eval()
    fused = fuse_conv_bn(net)
    assert isinstance(fused[1], nn.BatchNorm2d) and isinstance(fused[2], nn.Conv2d)


def test_inference_form_matches_unets_and_refine_net():
    from restora.nn.fusion import inference_form

    torch.manual_seed(0)
    unet = _with_trained_statistics(create_model("unet.damage"))
    refine = _with_trained_statistics(create_model("refine_net.telea", width=4, depth=2))
    with torch.no_grad():
        refine.body.head.weight.normal_(std=0.3)
    fast_unet, fast_refine = inference_form(unet), inference_form(refine)
    blocks = [block.up for block in fast_unet.up]  # each bilinear x2 then a 1x1 conv, as built
    assert [type(m).__name__ for b in blocks for m in b] == ["Conv2d", "Upsample"] * 3
    relus = [m for m in fast_unet.modules() if isinstance(m, nn.ReLU)]
    assert relus and all(m.inplace for m in relus)
    assert not any(m.inplace for m in unet.modules() if isinstance(m, nn.ReLU))  # untouched
    x = torch.rand(1, 3, 72, 56)
    mask = (torch.rand(1, 1, 72, 56) > 0.8).float()
    last = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        assert torch.allclose(fast_unet(last), unet(x), atol=1e-4, rtol=1e-4)
        expected = refine(x * (1 - mask), mask)
        got = fast_refine((x * (1 - mask)).contiguous(memory_format=torch.channels_last), mask)
    assert torch.allclose(got, expected, atol=1e-4)


def test_conv_moves_before_upsample_only_when_they_commute():
    from restora.nn.fusion import conv_before_upsample

    up = nn.Upsample(scale_factor=2, mode="bilinear")
    three = nn.Sequential(up, nn.Conv2d(4, 2, 3, padding=1))  # not pointwise: kept
    nearest = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(4, 2, 1))
    bicubic = nn.Sequential(nn.Upsample(scale_factor=2, mode="bicubic"), nn.Conv2d(4, 2, 1))
    assert isinstance(conv_before_upsample(three)[0], nn.Upsample)
    assert isinstance(conv_before_upsample(bicubic)[0], nn.Upsample)
    swapped = conv_before_upsample(nearest)
    assert isinstance(swapped[0], nn.Conv2d) and isinstance(nearest[0], nn.Upsample)
    x = torch.rand(1, 4, 5, 7)
    with torch.no_grad():
        assert torch.allclose(swapped(x), nearest(x), atol=1e-6)

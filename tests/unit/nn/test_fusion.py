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

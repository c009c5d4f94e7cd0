"""Inference-only rewrites that keep a network's function: Conv2d + BatchNorm2d folding, a
pointwise conv moved before the upsampling it follows, in-place activations; and
:func:`inference_form`, all of them plus channels-last memory."""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

__all__ = ["conv_before_upsample", "fuse_conv_bn", "inference_form", "inplace_activations"]


def fuse_conv_bn(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` where every ``Conv2d`` followed by a ``BatchNorm2d`` in the
    same ``nn.Sequential`` is one conv (the norm's running statistics and affine folded into the
    conv's weight and bias) and the norm is an ``nn.Identity``.

    Outputs match the original in eval mode up to float rounding (~1e-6 relative); the copy's
    state dict has different keys, so save the original, not this. ``model`` is not changed.

    >>> import torch
    >>> net = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU()).eval()
    >>> fused = fuse_conv_bn(net)
    >>> [type(m).__name__ for m in fused]
    ['Conv2d', 'Identity', 'ReLU']
    >>> x = torch.rand(1, 3, 8, 8)
    >>> bool(torch.allclose(net(x), fused(x), atol=1e-5))
    True
    """
    fused = copy.deepcopy(model).eval()
    for module in fused.modules():
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module._modules.items())
        for (conv_name, conv), (norm_name, norm) in zip(children, children[1:], strict=False):
            if (
                type(conv) is nn.Conv2d
                and type(norm) is nn.BatchNorm2d
                and norm.track_running_stats
                and conv.out_channels == norm.num_features
            ):
                module._modules[conv_name] = fuse_conv_bn_eval(conv, norm)
                module._modules[norm_name] = nn.Identity()
    return fused


def conv_before_upsample(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` where every ``nn.Upsample`` (nearest or bilinear, integer
    scale) directly followed by a 1x1 ``Conv2d`` (stride 1, no padding, no groups) in the same
    ``nn.Sequential`` is swapped: the conv runs first, at the low resolution.

    Both are linear, and the resize mixes each channel's pixels with weights that sum to one, so
    they commute (bias included): same output up to float rounding, with the conv on a quarter
    of the pixels (x2) and the resize on the conv's output channels.

    >>> import torch
    >>> up = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(8, 4, 1))
    >>> swapped = conv_before_upsample(up)
    >>> [type(m).__name__ for m in swapped]
    ['Conv2d', 'Upsample']
    >>> x = torch.rand(1, 8, 6, 5)
    >>> bool(torch.allclose(up(x), swapped(x), atol=1e-6))
    True
    """
    swapped = copy.deepcopy(model).eval()
    for module in swapped.modules():
        if not isinstance(module, nn.Sequential):
            continue
        names = list(module._modules)
        for first, second in zip(names, names[1:], strict=False):
            up, conv = module._modules[first], module._modules[second]
            if _is_linear_upsample(up) and _is_pointwise(conv):
                module._modules[first], module._modules[second] = conv, up
    return swapped


def _is_linear_upsample(module: nn.Module | None) -> bool:
    return (
        type(module) is nn.Upsample
        and module.mode in ("nearest", "bilinear")
        and module.size is None
        and not getattr(module, "recompute_scale_factor", None)
    )


def _is_pointwise(module: nn.Module | None) -> bool:
    return (
        type(module) is nn.Conv2d
        and module.kernel_size == (1, 1)
        and module.stride == (1, 1)
        and module.padding == (0, 0)
        and module.dilation == (1, 1)
        and module.groups == 1
    )


def inplace_activations(model: nn.Module) -> nn.Module:
    """``model`` with every ``nn.ReLU`` / ``nn.LeakyReLU`` / ``nn.ReLU6`` set to work in place
    (no new tensor per activation: less memory traffic at inference). Changed in place and
    returned. Only for inference, and only for networks where an activation's input is used by
    nothing else (as in conv -> norm -> activation units); a residual ``x + relu(x)`` would
    change."""
    for module in model.modules():
        if isinstance(module, (nn.ReLU, nn.LeakyReLU, nn.ReLU6)):
            module.inplace = True
    return model


def inference_form(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` for CPU inference: batch norms folded
    (:func:`fuse_conv_bn`), 1x1 convs moved before upsampling (:func:`conv_before_upsample`),
    in-place activations and channels-last memory (feed it channels-last inputs). Same outputs
    up to float rounding; ``model`` is not changed."""
    fast = inplace_activations(conv_before_upsample(fuse_conv_bn(model)))
    return fast.to(memory_format=torch.channels_last)

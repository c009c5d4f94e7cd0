"""DnCNN (Zhang et al., "Beyond a Gaussian Denoiser: Residual Learning of Deep CNN for Image
Denoising", TIP 2017), key-compatible with the official PyTorch port (cszn/DnCNN,
``TrainingCodes/dncnn_pytorch``).

Layout of ``dncnn`` (an ``nn.Sequential``): ``0`` conv (bias) + ``1`` ReLU, then ``depth - 2`` ×
[conv without bias, ``BatchNorm2d(eps=1e-4, momentum=0.95)``, ReLU] at indices ``3k+2, 3k+3,
3k+4``, and a last conv without bias at ``3(depth-2)+2`` (``dncnn.47`` for depth 17).
The momentum value is the official code's (PyTorch semantics: new running statistics take
95 % of the batch statistics); it matters only when fine-tuning.

With ``batch_norm=False`` (the official MatConvNet release, where batch normalization was folded
into the convolutions) every conv has a bias and the layout is ``0`` conv + ``1`` ReLU, then
``depth - 2`` × [conv, ReLU] at ``2k+2, 2k+3``, and the last conv at ``2(depth-1)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model

__all__ = ["DnCNN"]


@architecture("dncnn")
class DnCNN(ConfigurableModel):
    """Residual denoiser: the network predicts the noise, ``output = input - dncnn(input)``.

    ``depth`` counts convolutions (17 for DnCNN-S, 20 for the blind DnCNN-B / CDnCNN-B);
    ``batch_norm=False`` drops the BatchNorm layers and gives every conv a bias (BN folded).
    Input ``(B, channels, H, W)`` float, noisy image in [0, 1] (any size); output the same shape,
    not clamped (the descriptor clamps).

    >>> net = DnCNN(channels=1, width=8, depth=3)
    >>> tuple(net(torch.rand(1, 1, 7, 5)).shape)
    (1, 1, 7, 5)
    """

    def __init__(
        self, *, channels: int = 1, width: int = 64, depth: int = 17, batch_norm: bool = True
    ) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"depth must be >= 2, got {depth}")
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 3, padding=1, bias=True), nn.ReLU()]
        for _ in range(depth - 2):
            layers.append(nn.Conv2d(width, width, 3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(width, eps=1e-4, momentum=0.95))
            layers.append(nn.ReLU())
        layers.append(nn.Conv2d(width, channels, 3, padding=1, bias=not batch_norm))
        self.dncnn = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.dncnn(x)

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        return ModelDescriptor(
            model=self,
            purpose="denoise",
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=512,
            tile_overlap=4 * cfg["depth"],
        )


@register_model("dncnn.s_gray")
def dncnn_s_gray(**overrides: Any) -> DnCNN:
    """DnCNN-S: 17 layers, 64 features, grayscale (the official σ = 25 model's layout)."""
    return build(DnCNN, overrides, channels=1, width=64, depth=17)


@register_model("dncnn.b_gray")
def dncnn_b_gray(**overrides: Any) -> DnCNN:
    """DnCNN-B: 20 layers, 64 features, grayscale, blind Gaussian denoising."""
    return build(DnCNN, overrides, channels=1, width=64, depth=20)


@register_model("dncnn.b_color")
def dncnn_b_color(**overrides: Any) -> DnCNN:
    """CDnCNN-B: 20 layers, 64 features, RGB, blind Gaussian denoising."""
    return build(DnCNN, overrides, channels=3, width=64, depth=20)


@register_model("dncnn.b_gray_mat")
def dncnn_b_gray_mat(**overrides: Any) -> DnCNN:
    """DnCNN-B as released for MatConvNet (``GD_Gray_Blind.mat``): 20 layers, BN folded."""
    return build(DnCNN, overrides, channels=1, width=64, depth=20, batch_norm=False)


@register_model("dncnn.b_color_mat")
def dncnn_b_color_mat(**overrides: Any) -> DnCNN:
    """CDnCNN-B as released for MatConvNet (``GD_Color_Blind.mat``): 20 layers, RGB, BN folded."""
    return build(DnCNN, overrides, channels=3, width=64, depth=20, batch_norm=False)

"""PatchGAN discriminator (Isola et al. 2017), optionally spectrally normalized (SN-PatchGAN,
Yu et al. 2019). With ``n_layers = 3`` and 4x4 kernels each output logit sees a 70x70 patch."""

from __future__ import annotations

from typing import Any, Literal, overload

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.registry import architecture, build, register_model
from restora.nn.norm import Norm, make_norm
from restora.nn.spectral_norm import apply_spectral_norm

__all__ = ["PatchGAN"]


@architecture("patchgan")
class PatchGAN(ConfigurableModel):
    """Fully convolutional real/fake classifier over overlapping patches.

    Blocks: ``conv(s2) → LReLU``, then ``n_layers - 1`` × ``conv(s2) → norm → LReLU``, one
    ``conv(s1) → norm → LReLU``, and a final ``conv(s1)`` to one logit channel. Widths
    ``min(width * 2**i, 8 * width)``, kernel 4, padding 1. ``spectral_norm=True`` normalizes every
    convolution (use ``norm="none"`` with it, as SN-PatchGAN does).

    Input ``(B, in_channels, H, W)`` - for a conditional GAN, ``in_channels`` counts the
    condition and the image concatenated (6 for RGB → RGB). ``forward(x)`` returns logits
    ``(B, 1, H', W')``; ``forward(x, return_features=True)`` returns ``(logits, features)`` where
    ``features`` lists the output of every block before the last convolution (for feature
    matching).

    >>> d = PatchGAN(in_channels=6, width=8)
    >>> logits, feats = d(torch.rand(1, 6, 37, 29), return_features=True)
    >>> tuple(logits.shape), len(feats)
    ((1, 1, 2, 1), 4)
    """

    def __init__(
        self,
        *,
        in_channels: int = 6,
        width: int = 64,
        n_layers: int = 3,
        norm: Norm = "batch",
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        widths = [min(width * 2**i, 8 * width) for i in range(n_layers + 1)]
        bias = norm == "none"
        blocks = [nn.Sequential(nn.Conv2d(in_channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2))]
        for i in range(1, n_layers + 1):
            stride = 2 if i < n_layers else 1
            conv = nn.Conv2d(widths[i - 1], widths[i], 4, stride, 1, bias=bias)
            blocks.append(nn.Sequential(conv, make_norm(norm, widths[i]), nn.LeakyReLU(0.2)))
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Conv2d(widths[-1], 1, 4, 1, 1)
        if spectral_norm:
            apply_spectral_norm(self)

    @overload
    def forward(self, x: torch.Tensor, return_features: Literal[False] = ...) -> torch.Tensor: ...

    @overload
    def forward(
        self, x: torch.Tensor, return_features: Literal[True]
    ) -> tuple[torch.Tensor, list[torch.Tensor]]: ...

    def forward(
        self, x: torch.Tensor, return_features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        logits = self.head(x)
        return (logits, features) if return_features else logits


@register_model("patchgan.70")
def patchgan_70(**overrides: Any) -> PatchGAN:
    """pix2pix's 70x70 PatchGAN, conditional on an RGB input (6 channels), BatchNorm."""
    return build(PatchGAN, overrides, in_channels=6, width=64, n_layers=3, norm="batch")


@register_model("patchgan.sn")
def patchgan_sn(**overrides: Any) -> PatchGAN:
    """Spectrally normalized PatchGAN without norm layers (SN-PatchGAN style), 6 channels."""
    return build(PatchGAN, overrides, in_channels=6, n_layers=3, norm="none", spectral_norm=True)

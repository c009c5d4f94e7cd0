"""Thin ``nn.Module`` wrappers over the colour functions (for ``nn.Sequential`` and models)."""

from __future__ import annotations

import torch
from torch import nn

from restora.color.gray import rgb_to_gray
from restora.color.lab import lab_to_rgb, rgb_to_lab
from restora.color.ycbcr import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb


class RgbToGray(nn.Module):
    """Module form of :func:`rgb_to_gray`: ``(B, 3, H, W)`` -> ``(B, 1, H, W)``."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return rgb_to_gray(image)


class RgbToYcbcr(nn.Module):
    """Module form of :func:`rgb_to_ycbcr`: ``(B, 3, H, W)`` -> ``(B, 3, H, W)``, [0, 1] scale."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return rgb_to_ycbcr(image)


class YcbcrToRgb(nn.Module):
    """Module form of :func:`ycbcr_to_rgb`: ``(B, 3, H, W)`` -> ``(B, 3, H, W)``."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return ycbcr_to_rgb(image)


class RgbToY(nn.Module):
    """Module form of :func:`rgb_to_y`: ``(B, 3, H, W)`` -> ``(B, 1, H, W)``, [0, 1] scale."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return rgb_to_y(image)


class RgbToLab(nn.Module):
    """Module form of :func:`rgb_to_lab`: sRGB [0, 1] -> L in [0, 100], a/b unscaled."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return rgb_to_lab(image)


class LabToRgb(nn.Module):
    """Module form of :func:`lab_to_rgb`: Lab -> sRGB (not clamped)."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return lab_to_rgb(image)

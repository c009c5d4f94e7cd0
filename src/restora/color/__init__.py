"""Colour conversions (torch, differentiable, batched ``(B, 3, H, W)``) and Module wrappers.

- gray: BT.601 luma ``0.299 R + 0.587 G + 0.114 B``.
- YCbCr / Y: BT.601 studio swing as MATLAB ``rgb2ycbcr``, on the [0, 1] scale (x255 = MATLAB).
- Lab: sRGB gamma, D65 white; L in [0, 100], a/b unscaled CIE values.
"""

from restora.color.gray import rgb_to_gray
from restora.color.lab import lab_to_rgb, linear_to_srgb, rgb_to_lab, srgb_to_linear
from restora.color.modules import LabToRgb, RgbToGray, RgbToLab, RgbToY, RgbToYcbcr, YcbcrToRgb
from restora.color.ycbcr import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb

__all__ = [
    "LabToRgb",
    "RgbToGray",
    "RgbToLab",
    "RgbToY",
    "RgbToYcbcr",
    "YcbcrToRgb",
    "lab_to_rgb",
    "linear_to_srgb",
    "rgb_to_gray",
    "rgb_to_lab",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "srgb_to_linear",
    "ycbcr_to_rgb",
]

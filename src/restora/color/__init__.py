"""Colour conversions (torch, differentiable, batched ``(B, 3, H, W)``) and Module wrappers.

- gray: BT.601 luma ``0.299 R + 0.587 G + 0.114 B``.
- YCbCr / Y: BT.601 studio swing as MATLAB ``rgb2ycbcr``, on the [0, 1] scale (x255 = MATLAB).
- Lab: sRGB gamma, D65 white; L in [0, 100], a/b unscaled CIE values.
- ab bins (Zhang et al.): :mod:`restora.color.ab_bins`; full-resolution L + ab -> RGB keeping L:
  :mod:`restora.color.recombine`.
"""

from restora.color.gray import rgb_to_gray
from restora.color.hints import hints_to_ab
from restora.color.lab import lab_to_rgb, linear_to_srgb, rgb_to_lab, srgb_to_linear
from restora.color.modules import LabToRgb, RgbToGray, RgbToLab, RgbToY, RgbToYcbcr, YcbcrToRgb
from restora.color.recombine import image_lightness, lab_to_rgb_in_gamut, recombine_lab
from restora.color.ycbcr import rgb_to_y, rgb_to_ycbcr, ycbcr_to_rgb

__all__ = [
    "LabToRgb",
    "RgbToGray",
    "RgbToLab",
    "RgbToY",
    "RgbToYcbcr",
    "YcbcrToRgb",
    "hints_to_ab",
    "image_lightness",
    "lab_to_rgb",
    "lab_to_rgb_in_gamut",
    "linear_to_srgb",
    "recombine_lab",
    "rgb_to_gray",
    "rgb_to_lab",
    "rgb_to_y",
    "rgb_to_ycbcr",
    "srgb_to_linear",
    "ycbcr_to_rgb",
]

"""Colour from low resolution, detail from full resolution: full-size L + upsampled ab -> sRGB.

Colorizers predict ab at a small size; the photo's own lightness carries the detail. These
functions compute L at full size, upsample ab bilinearly to it and convert back to sRGB such
that the output's L equals the input's: colours outside the sRGB gamut are pulled toward gray
at constant L (chroma scaled down by bisection) instead of clipped per channel, which would
change L. Work is done in horizontal strips of ``rows`` rows, so a 4000x3000 scan never has more
than a few full-size float images alive.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.color._checks import check_color_input
from restora.color.lab import lab_to_rgb, srgb_to_linear
from restora.core.checks import check_shape

__all__ = ["image_lightness", "lab_to_rgb_in_gamut", "recombine_lab"]

_TOL = 1e-4
_Y_ROW = (0.212671, 0.715160, 0.072169)  # linear sRGB -> CIE Y (the row of restora.color.lab)
_DELTA = 6.0 / 29.0


def _out_of_gamut(rgb: torch.Tensor) -> torch.Tensor:
    return ((rgb < -_TOL) | (rgb > 1 + _TOL)).any(dim=1)


def lab_to_rgb_in_gamut(lab: torch.Tensor, *, steps: int = 8) -> torch.Tensor:
    """CIE Lab -> sRGB in [0, 1], keeping L: out-of-gamut pixels lose chroma, not lightness.

    Args:
        lab: float ``(B, 3, H, W)``: L (clamped to [0, 100]), a, b in CIE units.
        steps: bisection steps on the chroma scale of out-of-gamut pixels: such a pixel keeps
            at least ``1 - 2**-steps`` of the chroma it could have in gamut (L is exact anyway).

    Returns:
        float ``(B, 3, H, W)`` sRGB in [0, 1]; ``rgb_to_lab`` of it gives back L within about
        0.01 and the hue of ``(a, b)``; in-gamut pixels are exactly ``lab_to_rgb(lab)``.

    >>> from restora.color.lab import rgb_to_lab
    >>> rgb = lab_to_rgb_in_gamut(torch.tensor([50.0, 120.0, 0.0]).view(1, 3, 1, 1))
    >>> round(rgb_to_lab(rgb)[0, 0].item(), 2)
    50.0
    """
    check_color_input(lab)
    lab = torch.cat([lab[:, :1].clamp(0.0, 100.0), lab[:, 1:]], dim=1)
    rgb = lab_to_rgb(lab)
    bad = _out_of_gamut(rgb)  # (B, H, W)
    if bool(bad.any()):
        where = bad.nonzero(as_tuple=True)
        pixels = lab.permute(0, 2, 3, 1)[where]  # (N, 3)
        lum, ab = pixels[:, :1], pixels[:, 1:]
        lo = torch.zeros_like(lum)  # chroma scale known to be in gamut (gray)
        hi = torch.ones_like(lum)  # known to be out of gamut

        def convert(scale: torch.Tensor) -> torch.Tensor:
            lab_n = torch.cat([lum, ab * scale], dim=1).T.reshape(1, 3, 1, -1)
            return lab_to_rgb(lab_n)

        for _ in range(steps):
            mid = (lo + hi) / 2
            ok = ~_out_of_gamut(convert(mid)).reshape(-1, 1)
            lo = torch.where(ok, mid, lo)
            hi = torch.where(ok, hi, mid)
        fixed = convert(lo).reshape(3, -1).T  # (N, 3)
        rgb = rgb.permute(0, 2, 3, 1).clone()
        rgb[where] = fixed
        rgb = rgb.permute(0, 3, 1, 2)
    return rgb.clamp(0.0, 1.0)


def image_lightness(image: torch.Tensor, *, rows: int = 512) -> torch.Tensor:
    """CIE L of an sRGB image, computed strip by strip.

    Args:
        image: float ``(B, 3, H, W)`` sRGB in [0, 1] (gray photos as three equal channels).
        rows: strip height.

    Returns:
        float ``(B, 1, H, W)`` L in [0, 100].
    """
    check_color_input(image)
    out = image.new_empty(image.shape[0], 1, *image.shape[-2:])
    row = torch.tensor(_Y_ROW, dtype=image.dtype, device=image.device).view(1, 3, 1, 1)
    for top in range(0, image.shape[-2], rows):
        y = (srgb_to_linear(image[..., top : top + rows, :]) * row).sum(dim=1, keepdim=True)
        f = torch.where(
            y > _DELTA**3,
            y.clamp(min=_DELTA**3) ** (1.0 / 3.0),
            y / (3 * _DELTA**2) + 4.0 / 29.0,
        )
        out[..., top : top + rows, :] = 116.0 * f - 16.0
    return out


def recombine_lab(lightness: torch.Tensor, ab: torch.Tensor, *, rows: int = 512) -> torch.Tensor:
    """Full-resolution L + (lower-resolution) ab -> sRGB, keeping L exactly.

    Args:
        lightness: float ``(B, 1, H, W)`` CIE L in [0, 100].
        ab: float ``(B, 2, h, w)`` CIE a, b at any size; bilinearly resized (``align_corners=
            False``: pixel centres aligned, as the colorizers' own upsampling) to ``(H, W)``.
        rows: strip height of the conversion.

    Returns:
        float ``(B, 3, H, W)`` sRGB in [0, 1] whose L equals ``lightness`` (see
        :func:`lab_to_rgb_in_gamut`).
    """
    check_shape(lightness, ["B", "1", "H", "W"], "lightness")
    check_shape(ab, [str(lightness.shape[0]), "2", "h", "w"], "ab")
    size = tuple(lightness.shape[-2:])
    ab = ab.to(lightness)
    if tuple(ab.shape[-2:]) != size:
        ab = F.interpolate(ab, size=size, mode="bilinear", align_corners=False)
    out = lightness.new_empty(lightness.shape[0], 3, *size)
    for top in range(0, size[0], rows):
        part = slice(top, top + rows)
        lab = torch.cat([lightness[..., part, :], ab[..., part, :]], dim=1)
        out[..., part, :] = lab_to_rgb_in_gamut(lab)
    return out

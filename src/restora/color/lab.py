"""sRGB <-> CIE L*a*b* (D65 white), as OpenCV's float ``COLOR_RGB2Lab`` / skimage ``rgb2lab``.

Steps: sRGB gamma is removed (IEC 61966-2-1), linear RGB -> XYZ with the sRGB/D65 matrix,
XYZ is divided by the CIE D65 (2 degree) white point (0.95047, 1, 1.08883) and mapped
through the CIE ``f`` (cube root above ``(6/29)^3``, linear below). Matrix and white point are
skimage's (``skimage.color.rgb2lab``, also used by the Zhang et al. colorizers); RGB white
maps to (100, -0.0025, 0.0047) because the matrix rows sum to (0.950456, 1, 1.088754), the
white point OpenCV uses instead.

Ranges: L in [0, 100]; a and b unscaled CIE values, about [-86, 98] and [-108, 95] for
RGB in [0, 1]. Both branch points are handled so that gradients stay finite everywhere
(including pure black).
"""

from __future__ import annotations

import torch

from restora.color._checks import check_color_input

_RGB_TO_XYZ = (
    (0.412453, 0.357580, 0.180423),
    (0.212671, 0.715160, 0.072169),
    (0.019334, 0.119193, 0.950227),
)
_D65_WHITE = (0.95047, 1.0, 1.08883)
_DELTA = 6.0 / 29.0  # CIE f() switches from linear to cube root at t = _DELTA ** 3
_SRGB_LINEAR_MAX = 0.04045  # sRGB gamma: linear segment up to here (encoded value)
_LINEAR_SRGB_MAX = 0.04045 / 12.92  # ... which is this linear-light value


def _rgb_to_xyz() -> torch.Tensor:
    return torch.tensor(_RGB_TO_XYZ, dtype=torch.float64)


def _white() -> torch.Tensor:
    return torch.tensor(_D65_WHITE, dtype=torch.float64)


def _mix(matrix: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    matrix = matrix.to(device=x.device, dtype=x.dtype)
    return torch.einsum("ck,bkhw->bchw", matrix, x)


def srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    """Remove the sRGB gamma: any shape, float; [0, 1] -> [0, 1] (values below 0 stay linear)."""
    safe = x.clamp(min=_SRGB_LINEAR_MAX)
    return torch.where(x > _SRGB_LINEAR_MAX, ((safe + 0.055) / 1.055) ** 2.4, x / 12.92)


def linear_to_srgb(x: torch.Tensor) -> torch.Tensor:
    """Apply the sRGB gamma: any shape, float; [0, 1] -> [0, 1] (values below 0 stay linear)."""
    safe = x.clamp(min=_LINEAR_SRGB_MAX)
    return torch.where(x > _LINEAR_SRGB_MAX, 1.055 * safe ** (1.0 / 2.4) - 0.055, 12.92 * x)


def _f(t: torch.Tensor) -> torch.Tensor:
    safe = t.clamp(min=_DELTA**3)
    return torch.where(t > _DELTA**3, safe ** (1.0 / 3.0), t / (3 * _DELTA**2) + 4.0 / 29.0)


def _f_inv(f: torch.Tensor) -> torch.Tensor:
    return torch.where(f > _DELTA, f**3, 3 * _DELTA**2 * (f - 4.0 / 29.0))


def rgb_to_lab(image: torch.Tensor) -> torch.Tensor:
    """sRGB -> CIE Lab (D65).

    Args:
        image: float ``(B, 3, H, W)`` sRGB (gamma-encoded) in [0, 1].

    Returns:
        float ``(B, 3, H, W)``: L in [0, 100], a and b unscaled (roughly [-110, 110]).

    >>> lab = rgb_to_lab(torch.ones(1, 3, 1, 1, dtype=torch.float64))
    >>> [round(v, 3) for v in lab.flatten().tolist()]
    [100.0, -0.002, 0.005]
    """
    check_color_input(image)
    xyz = _mix(_rgb_to_xyz(), srgb_to_linear(image))
    xyz = xyz / _white().to(device=image.device, dtype=image.dtype).view(1, 3, 1, 1)
    fx, fy, fz = _f(xyz).unbind(dim=1)
    return torch.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], dim=1)


def lab_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """CIE Lab (D65) -> sRGB; the inverse of :func:`rgb_to_lab`.

    Args:
        image: float ``(B, 3, H, W)``: L in [0, 100], a and b unscaled.

    Returns:
        float ``(B, 3, H, W)`` sRGB, in [0, 1] for in-gamut colours. Not clamped: Lab values
        outside the sRGB gamut give values outside [0, 1]; clamp them yourself if needed.
    """
    check_color_input(image)
    lum, a, b = image.unbind(dim=1)
    fy = (lum + 16.0) / 116.0
    f = torch.stack([fy + a / 500.0, fy, fy - b / 200.0], dim=1)
    xyz = _f_inv(f) * _white().to(device=image.device, dtype=image.dtype).view(1, 3, 1, 1)
    return linear_to_srgb(_mix(torch.linalg.inv(_rgb_to_xyz()), xyz))

"""CIEDE2000 colour difference (Sharma, Wu, Dalal 2005), the usual measure of how far two
colours look apart (about 1 = just noticeable, above 5 = clearly different)."""

from __future__ import annotations

import math

import torch

from restora.color.lab import rgb_to_lab
from restora.core.checks import check_image

__all__ = ["delta_e2000", "mean_delta_e2000"]


def delta_e2000(lab1: torch.Tensor, lab2: torch.Tensor) -> torch.Tensor:
    """CIEDE2000 between two CIE Lab images ``(B, 3, H, W)`` (L in [0, 100], a/b unscaled),
    with kL = kC = kH = 1; returns ``(B, H, W)`` (computed in float64, returned in the input
    dtype). Matches ``skimage.color.deltaE_ciede2000`` and Sharma et al.'s test data.

    >>> lab = torch.tensor([50.0, 2.6772, -79.7751]).view(1, 3, 1, 1)
    >>> ref = torch.tensor([50.0, 0.0, -82.7485]).view(1, 3, 1, 1)
    >>> round(float(delta_e2000(lab, ref)), 4)
    2.0425
    """
    if lab1.shape != lab2.shape or lab1.ndim != 4 or lab1.shape[1] != 3:
        raise ValueError(
            f"need two (B, 3, H, W) Lab images, got {tuple(lab1.shape)}, {tuple(lab2.shape)}"
        )
    l1, a1, b1 = lab1.double().unbind(1)
    l2, a2, b2 = lab2.double().unbind(1)
    c_mean = (torch.hypot(a1, b1) + torch.hypot(a2, b2)) / 2
    g = 0.5 * (1 - torch.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = torch.hypot(a1p, b1), torch.hypot(a2p, b2)
    h1p = torch.atan2(b1, a1p) % (2 * math.pi)
    h2p = torch.atan2(b2, a2p) % (2 * math.pi)
    zero = (c1p * c2p) == 0
    dl = l2 - l1
    dc = c2p - c1p
    dh = h2p - h1p
    dh = torch.where(dh > math.pi, dh - 2 * math.pi, dh)
    dh = torch.where(dh < -math.pi, dh + 2 * math.pi, dh)
    dh = torch.where(zero, torch.zeros_like(dh), dh)
    dhh = 2 * torch.sqrt(c1p * c2p) * torch.sin(dh / 2)
    l_mean = (l1 + l2) / 2
    cp_mean = (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_mean = torch.where(
        (h1p - h2p).abs() > math.pi,
        torch.where(h_sum < 2 * math.pi, (h_sum + 2 * math.pi) / 2, (h_sum - 2 * math.pi) / 2),
        h_sum / 2,
    )
    h_mean = torch.where(zero, h_sum, h_mean)
    t = (
        1
        - 0.17 * torch.cos(h_mean - math.radians(30))
        + 0.24 * torch.cos(2 * h_mean)
        + 0.32 * torch.cos(3 * h_mean + math.radians(6))
        - 0.20 * torch.cos(4 * h_mean - math.radians(63))
    )
    d_theta = math.radians(30) * torch.exp(-(((torch.rad2deg(h_mean) - 275) / 25) ** 2))
    r_c = 2 * torch.sqrt(cp_mean**7 / (cp_mean**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / torch.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -torch.sin(2 * d_theta) * r_c
    out = torch.sqrt(
        (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h)
    )
    return out.to(lab1.dtype)


def mean_delta_e2000(image: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Mean CIEDE2000 between two sRGB images ``(B, 3, H, W)`` in [0, 1]; returns ``(B,)``."""
    check_image(image)
    check_image(reference, "reference")
    return delta_e2000(rgb_to_lab(image.double()), rgb_to_lab(reference.double())).mean(dim=(1, 2))

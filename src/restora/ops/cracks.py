"""Bright crack networks on prints: the opt-in ``detect.cracks`` of the damage stage.

A print that has been bent, rolled or dried out breaks its emulsion into a network of thin
cracks where the paper shows through: lines a few pixels wide, lighter than both their sides,
running in every direction and branching. Restora's damage network finds few of them on real
scans (``benchmarks/results/damage_real.md``), and the classical scratch detector
(:mod:`restora.ops.damage`) looks for long straight near-vertical lines. This detector looks for
the cracks themselves:

1. **Line contrast** in ``orientations`` directions: the mean luminance along a short segment
   (``length`` px) through each pixel, minus the brighter of the two parallel segments
   ``offset`` px to its sides (two offsets: thin and wider cracks), minus ``balance`` times
   the difference of the sides. It is positive only where the pixel is lighter than *both*
   sides, so edges and gradients give nothing. A crack pixel needs ``contrast``, and must also
   rise that much above the photo with its thin lines removed (an opening then a closing).
2. **Smooth ground**: that line-free photo must be smooth around the pixel (mean gradient under
   ``background``). A crack crosses a plain backdrop, a jacket or a cheek.
3. **Polarity**: within ``polarity_window`` px, more than a share ``polarity`` of the thin-line
   pixels must be light ones (dark ones: the same contrast on the inverted photo). Texture (hair, lace, a patterned dress,
   rubble) has thin lines of both kinds; a crack network on a print is light.
4. Pieces shorter than ``min_extent`` (their box's diagonal) are dropped, and what is kept grows
   by one pixel into its own lighter rim. :func:`keep_supported` then keeps only the pieces
   another detector sees something at too.

It is opt-in because a photo's own thin light lines on smooth ground (a window frame, a
necklace, a rim of light, light lettering) look the same: through the damage stage it repairs
about 0.8 % of a clean old photo (median; the damage detector's model card gives the figures). Sizes are in px at a 512 px short
side and grow with the square root of the size above that, as in :mod:`restora.ops.damage`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.core.checks import check_image
from restora.ops.damage import damage_scale

__all__ = ["CrackTuning", "crack_contrast", "detect_cracks", "keep_supported"]


@dataclass(frozen=True)
class CrackTuning:
    """Constants of :func:`detect_cracks` (lengths in px at a 512 px short side, levels in
    luminance units of [0, 1])."""

    pre_blur: float = 0.7  # Gaussian sigma before everything (grain)
    length: float = 11.0  # segment along the line
    offsets: tuple[float, ...] = (2.0, 4.0)  # distances of the side segments
    orientations: int = 8
    balance: float = 1.0  # the contrast loses this times the difference of the two sides
    contrast: float = 0.04  # line contrast a crack pixel needs (at sensitivity 0.5)
    lift: float = 1.0  # ... and it rises this many times that above the line-free photo
    background_size: int = 9  # structuring element that removes the lines
    background: float = 0.02  # mean gradient of the line-free photo it may lie on ...
    background_window: float = 21.0  # ... in this window
    polarity: float = 0.6  # light lines are more than this share of light + dark ones ...
    polarity_window: float = 41.0  # ... in this window
    min_extent: float = 8.0  # shortest kept piece (box diagonal)


def _segment_kernel(length: float, angle: float) -> np.ndarray:
    """Normalised kernel: the mean along a segment of ``length`` px at ``angle`` (radians)
    through the centre, sampled every half pixel with bilinear weights."""
    radius = int(math.ceil(length / 2)) + 1
    kernel = np.zeros((2 * radius + 1, 2 * radius + 1), np.float32)
    c, s = math.cos(angle), math.sin(angle)
    for t in np.linspace(-length / 2, length / 2, int(2 * length) + 1):
        x, y = radius + t * c, radius + t * s
        x0, y0 = int(math.floor(x)), int(math.floor(y))
        fx, fy = x - x0, y - y0
        kernel[y0, x0] += (1 - fx) * (1 - fy)
        kernel[y0, x0 + 1] += fx * (1 - fy)
        kernel[y0 + 1, x0] += (1 - fx) * fy
        kernel[y0 + 1, x0 + 1] += fx * fy
    return kernel / kernel.sum()


def _shift(x: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """``out[y, x] = x[y + dy, x + dx]`` (bilinear, edges reflected)."""
    matrix = np.float32([[1, 0, -dx], [0, 1, -dy]])
    h, w = x.shape
    return cv2.warpAffine(x, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def crack_contrast(luma: np.ndarray, scale: float, t: CrackTuning = CrackTuning()) -> np.ndarray:
    """Line contrast (step 1 of the module doc) of a float32 luminance ``(H, W)`` in [0, 1]:
    how much lighter each pixel's segment is than the lighter of its sides, best over the
    orientations and offsets; float32 ``(H, W)``, 0 where nothing is lighter than both sides.

    >>> y = np.full((40, 40), 0.3, np.float32); y[:, 20] = 0.8   # a vertical light line
    >>> c = crack_contrast(y, 1.0)
    >>> bool(c[20, 20] > 0.1), bool(c[20, 5] == 0.0)
    (True, True)
    """
    return _line_contrasts(luma, scale, t)[0]


def _line_contrasts(
    luma: np.ndarray, scale: float, t: CrackTuning
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`crack_contrast` of ``luma`` and of ``1 - luma`` (dark lines), from one pass: with
    the side means ``a``, ``b`` and the centre ``c``, light = ``c - max(a, b) - k|a - b|`` and
    dark = ``min(a, b) - c - k|a - b|``, i.e. ``-m - e`` and ``m - e`` with ``m = (a + b) / 2 -
    c`` and ``e = (1/2 + k)|a - b|``."""
    light = np.zeros(luma.shape, np.float32)
    dark = np.zeros(luma.shape, np.float32)
    for i in range(t.orientations):
        angle = math.pi * i / t.orientations
        centre = cv2.filter2D(
            luma, -1, _segment_kernel(t.length * scale, angle), borderType=cv2.BORDER_REFLECT
        )
        nx, ny = -math.sin(angle), math.cos(angle)  # normal to the segment
        for offset in t.offsets:
            d = offset * scale
            one, other = _shift(centre, nx * d, ny * d), _shift(centre, -nx * d, -ny * d)
            middle = cv2.addWeighted(cv2.add(one, other), 0.5, centre, -1.0, 0.0)
            spread = cv2.multiply(cv2.absdiff(one, other), 0.5 + t.balance)
            cv2.max(light, cv2.subtract(cv2.multiply(middle, -1.0), spread), dst=light)
            cv2.max(dark, cv2.subtract(middle, spread), dst=dark)
    return light, dark


def _ground(luma: np.ndarray, scale: float, t: CrackTuning) -> np.ndarray:
    """The photo ``(H, W)`` with its thin light and dark lines removed (opening, closing)."""
    size = int(round(t.background_size * scale)) | 1
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.morphologyEx(
        cv2.morphologyEx(luma, cv2.MORPH_OPEN, element), cv2.MORPH_CLOSE, element
    )


def _roughness(ground: np.ndarray, scale: float, t: CrackTuning) -> np.ndarray:
    """Mean gradient magnitude ``(H, W)`` of the line-free photo around each pixel."""
    gx = cv2.Sobel(ground, -1, 1, 0) / 8.0
    gy = cv2.Sobel(ground, -1, 0, 1) / 8.0
    window = int(round(t.background_window * scale)) | 1
    return cv2.blur(np.hypot(gx, gy), (window, window))


def detect_cracks(
    image: torch.Tensor, *, sensitivity: float = 0.5, tuning: CrackTuning = CrackTuning()
) -> tuple[torch.Tensor, torch.Tensor]:
    """Thin light cracks of a photo ``(1, 3, H, W)`` float in [0, 1] (module doc).

    ``sensitivity`` in [0, 1] scales the contrast needed by ``2 * (1 - sensitivity)`` (0.5 keeps
    it; higher finds fainter cracks).

    Returns ``(mask, evidence)``, both float32 ``(1, 1, H, W)`` on the CPU: the cracks (1) and,
    on them, an evidence in [0.5, 1] that grows with the contrast (1 at twice the contrast
    needed), 0 elsewhere.

    >>> img = torch.full((1, 3, 64, 64), 0.3); img[..., 10:50, 31] = 0.9
    >>> mask, evidence = detect_cracks(img)
    >>> bool(mask[0, 0, 30, 31] == 1), bool(mask[0, 0, 30, 10] == 0)
    (True, True)
    """
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"detect_cracks takes one image (1, 3, H, W), got {tuple(image.shape)}")
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity}")
    gray = rgb_to_gray(image.detach().cpu().float())[0, 0].numpy()
    height, width = gray.shape
    scale = damage_scale(height, width)
    luma = cv2.GaussianBlur(gray, (0, 0), tuning.pre_blur * scale)
    contrast, dark_contrast = _line_contrasts(luma, scale, tuning)
    need = max(tuning.contrast * 2.0 * (1.0 - sensitivity), 1e-3)
    ground = _ground(luma, scale, tuning)
    found = (
        (contrast > need)
        & (luma - ground > tuning.lift * need)
        & (_roughness(ground, scale, tuning) < tuning.background)
    )
    if tuning.polarity > 0:
        dark = dark_contrast > need
        window = int(round(tuning.polarity_window * scale)) | 1
        light_share = cv2.blur((contrast > need).astype(np.float32), (window, window))
        dark_share = cv2.blur(dark.astype(np.float32), (window, window))
        found &= light_share > tuning.polarity * (light_share + dark_share + 1e-6)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(found.astype(np.uint8), 8)
    keep = np.hypot(stats[:, 2], stats[:, 3]) >= tuning.min_extent * scale
    keep[0] = False
    found = keep[labels]
    rim = cv2.dilate(found.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    found = found | (rim & (contrast > need / 2))
    evidence = np.where(found, np.clip(0.5 + 0.5 * (contrast - need) / need, 0.5, 1.0), 0.0)
    return _tensor(found), _tensor(evidence)


def keep_supported(
    mask: torch.Tensor,
    probability: torch.Tensor,
    *,
    support: float = 0.05,
    evidence: torch.Tensor | None = None,
    strong: float = 0.8,
) -> torch.Tensor:
    """The pieces of :func:`detect_cracks`' ``mask`` that another detector supports: the mean of
    its ``probability`` within 2 px of the piece at least ``support``; all ``(1, 1, H, W)``,
    float32 ``(1, 1, H, W)`` in {0, 1} on the CPU. Light lines on smooth ground that the damage
    network sees nothing at are mostly the picture's own, however clear (window frames, light
    lettering, lit branches): on the 41 clean old photos of ``benchmarks/damage_real.py`` the
    damage stage with ``detect.cracks`` flags 0.78 % (median) instead of 1.02 % when clear
    pieces also join unsupported, and finds 0.6 of the cracks on 7 of its 13 boxed crack scans
    instead of 8 (the network's model card has the figures).

    With ``evidence`` (:func:`detect_cracks`' second output), clear pieces join unsupported too
    (mean evidence at least ``strong``: 0.8 is 1.6 times the contrast needed): for a detector
    whose map rarely touches a curved crack (the classical one's mask).

    >>> m = torch.zeros(1, 1, 32, 32); m[..., 4:28, 8] = 1; m[..., 4:28, 20] = 1
    >>> p = torch.zeros(1, 1, 32, 32); p[..., 10, 20] = 0.9
    >>> kept = keep_supported(m, p)
    >>> float(kept[..., 8].sum()), float(kept[..., 20].sum())
    (0.0, 24.0)
    >>> float(keep_supported(m, p, evidence=m * 0.9)[..., 8].sum())
    24.0
    """
    if evidence is not None and evidence.shape != mask.shape:
        raise ValueError(f"evidence {tuple(evidence.shape)} must match mask {tuple(mask.shape)}")
    if probability.shape != mask.shape:
        raise ValueError(
            f"probability {tuple(probability.shape)} must match mask {tuple(mask.shape)}"
        )
    found = (mask[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
    count, labels = cv2.connectedComponents(found, connectivity=8)
    if count <= 1:
        return _tensor(found)
    near = cv2.dilate(probability[0, 0].cpu().float().numpy(), np.ones((5, 5), np.uint8))
    flat = labels.ravel()
    size = np.maximum(np.bincount(flat, minlength=count), 1)
    keep = np.bincount(flat, near.ravel(), count) / size >= support
    if evidence is not None:
        clear = np.bincount(flat, evidence[0, 0].cpu().float().numpy().ravel(), count) / size
        keep |= clear >= strong
    keep[0] = False
    return _tensor(keep[labels])


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array, np.float32))[None, None]

"""Classical (non-learned) detector of thin scratches, hairs and dust specks on old photos.

Works on luminance, separately for bright and dark damage:

1. **Thin contrast** per orientation (vertical, horizontal, two diagonals): a 1-D morphological
   top-hat across the line direction. It is large on structures narrower than the structuring
   element that stand out on *both* sides, and zero on edges (opening keeps monotone profiles).
2. **Line evidence**: that contrast averaged along the line direction (48 px for vertical lines,
   the common film/print scratch; 16 px for the others, which also need 2.5x the evidence),
   normalised by robust statistics (median, MAD) of the same response in blocks around it.
   Texture that gives the same response everywhere (grass, fur, ripples) is therefore not
   special; a long line is. Where the two sides of a line differ by more than the line stands
   out (a sharpening halo beside an edge) there is no line evidence.
3. **Hysteresis**: seeds need strong line evidence, strong pixel contrast and an estimated
   opacity (contrast / headroom to white or black) typical of damage; they grow into weaker
   evidence. Components that are short or wide are dropped.
4. **Tracking**: near-vertical scratches found in one stretch are followed along their fitted
   line through the whole image with lower thresholds (they fade and cross texture).
5. **Dust**: small blobs that are thin in every orientation, with strong contrast and opacity.
6. **Edges of the marks**: a geodesic growth of 1 px into pixels with clear contrast covers
   the antialiased borders.

Sizes are given for photos up to 512 px on their short side and grow with the square root of the
size above that. Thresholds were tuned on BSDS500 *train* photos with synthetic damage
(``restora.data.damage``); see ``benchmarks/damage_classical.py`` for the measured quality.
It finds near-vertical scratches far better than curved scratches and hairs, which look too much
like the thin lines of natural images (branches, rims, hair) to be told apart classically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

__all__ = ["damage_scale", "detect_damage_classical"]

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# Line directions (dy, dx); the first (vertical) is the typical scratch direction.
_DIRECTIONS = ((1, 0), (0, 1), (1, 1), (1, -1))


@dataclass(frozen=True)
class _Tuning:
    """Constants of the detector (lengths in px at scale 1, z = robust standard scores)."""

    pre_blur: float = 0.25  # Gaussian sigma before everything (grain)
    tophat_length: float = 7.0  # thin = narrower than this
    flank_weight: float = 1.0  # discount of the level difference between the two sides
    vertical_length: int = 48  # averaging length along vertical lines
    other_length: int = 16  # ... along other directions
    other_weight: float = 0.4  # other directions need 2.5x the evidence of vertical ones
    block: float = 32.0  # block size of the local statistics
    line_floor: float = 0.006  # floor of the line-evidence spread
    pixel_floor: float = 0.013  # floor of the pixel-contrast spread
    seed_line_z: float = 11.0  # seeds: line evidence (at sensitivity 0.5)
    seed_pixel_z: float = 3.5  # seeds: pixel contrast
    seed_opacity: float = 0.45  # seeds: estimated opacity
    seed_contrast: float = 0.024  # seeds: absolute contrast
    clear_factor: float = 3.0  # ... or this many times the z thresholds
    clear_opacity: float = 0.15  # ... with at least this opacity
    grow_line_z: float = 5.5  # hysteresis: line evidence to grow into
    grow_pixel_z: float = 1.5  # hysteresis: pixel contrast to grow into
    min_length: float = 28.0  # shortest kept line (bounding-box diagonal)
    max_width: float = 9.0  # widest kept line (area / length)
    border: float = 2.0  # lines are not seeded this close to the frame
    track_min_height: float = 30.0  # vertical components at least this tall are tracked
    track_radius: float = 2.0  # search +-radius px around the fitted line
    track_line_z: float = 3.0
    track_pixel_z: float = 0.5
    track_opacity: float = 0.1
    dust_z: float = 7.0  # dust: contrast in every direction (at sensitivity 0.5)
    dust_opacity: float = 0.3
    dust_max_size: float = 8.0
    edge_steps: int = 1  # geodesic growth over the antialiased borders
    edge_contrast: float = 0.065
    edge_z: float = 1.5


_TUNING = _Tuning()


def damage_scale(height: int, width: int) -> float:
    """How damage-detection sizes grow with the photo: 1.0 up to a 512 px short side, then the
    square root of the size ratio (as data.damage draws damage).

    >>> damage_scale(400, 600), damage_scale(2048, 3000)
    (1.0, 2.0)
    """
    return max(1.0, (min(height, width) / 512.0) ** 0.5)


def _odd(value: float) -> int:
    n = max(int(round(value)), 1)
    return n if n % 2 else n + 1


def _line_kernel(dy: int, dx: int, length: int) -> np.ndarray:
    """Structuring element: a line of ``length`` px along (dy, dx) (axis or diagonal)."""
    if dy == 0:
        return np.ones((1, length), np.uint8)
    if dx == 0:
        return np.ones((length, 1), np.uint8)
    kernel = np.eye(length, dtype=np.uint8)
    return kernel if dy == dx else kernel[:, ::-1].copy()


def _shifted(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``out[p] = x[p + (dy, dx)]``, edges replicated."""
    pad = max(abs(dy), abs(dx))
    padded = cv2.copyMakeBorder(x, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    h, w = x.shape
    return padded[pad + dy : pad + dy + h, pad + dx : pad + dx + w]


def _directional_mean(x: np.ndarray, dy: int, dx: int, length: int) -> np.ndarray:
    """Mean of ``x`` over ``length`` samples along (dy, dx), centred on each pixel."""
    if dx == 0:
        return cv2.blur(x, (1, _odd(length)), borderType=cv2.BORDER_REPLICATE)
    if dy == 0:
        return cv2.blur(x, (_odd(length), 1), borderType=cv2.BORDER_REPLICATE)
    total, span = x, 1  # doubling: sums over 1, 2, 4, ... samples
    while span * 2 <= length:
        total = total + _shifted(total, dy * span, dx * span)
        span *= 2
    half = span // 2
    return _shifted(total, -dy * half, -dx * half) / span


def _block_stats(x: np.ndarray, block: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Local median and robust spread (1.4826 MAD, at least ``floor``), smooth over the image.

    Computed per block of ``block`` px on a subsampled grid, then interpolated bilinearly.
    """
    h, w = x.shape
    step = max(1, block // 16)
    sample = x[::step, ::step]
    size = max(block // step, 4)
    rows, cols = max(sample.shape[0] // size, 1), max(sample.shape[1] // size, 1)
    bh, bw = sample.shape[0] // rows, sample.shape[1] // cols
    tiles = sample[: rows * bh, : cols * bw].reshape(rows, bh, cols, bw).transpose(0, 2, 1, 3)
    tiles = tiles.reshape(rows, cols, -1)
    median = np.median(tiles, axis=2)
    spread = 1.4826 * np.median(np.abs(tiles - median[..., None]), axis=2)
    median = cv2.resize(median.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    spread = cv2.resize(spread.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return median, np.maximum(spread, floor)


def _hysteresis(low: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Connected components (8-connected) of ``low`` that contain a ``seed`` pixel."""
    if not seed.any():
        return np.zeros_like(low)
    count, labels = cv2.connectedComponents(low.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[seed & low])] = True
    keep[0] = False
    return keep[labels]


def _keep_components(mask: np.ndarray, rule) -> np.ndarray:
    """Keep the 8-connected components of ``mask`` for which ``rule(stats)`` is true."""
    if not mask.any():
        return mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    keep = rule(stats)
    keep[0] = False
    return keep[labels]


def _track_vertical(lines, line_z, pixel_z, opacity, scale, t: _Tuning) -> np.ndarray:
    """Follow tall near-vertical components along their fitted line with lower thresholds."""
    height, width = lines.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        lines.astype(np.uint8), connectivity=8
    )
    out = lines.copy()
    radius = max(1, int(round(t.track_radius * scale)))
    offsets = np.arange(-radius, radius + 1)
    rows = np.arange(height)
    for j in range(1, count):
        left, top, box_w, box_h, _ = stats[j]
        if box_h < t.track_min_height * scale or 4 * box_w > box_h:
            continue
        ys, xs = np.nonzero(labels[top : top + box_h, left : left + box_w] == j)
        slope, intercept = np.polyfit(ys + top, xs + left, 1)
        if abs(slope) > 0.15:
            continue
        cols = np.rint(slope * rows + intercept).astype(np.int64)[:, None] + offsets[None, :]
        inside = (cols >= 0) & (cols < width)
        yy = np.broadcast_to(rows[:, None], cols.shape)[inside]
        xx = cols[inside]
        hit = (
            (line_z[yy, xx] > t.track_line_z)
            & (pixel_z[yy, xx] > t.track_pixel_z)
            & (opacity[yy, xx] > t.track_opacity)
        )
        out[yy[hit], xx[hit]] = True
    return out


def _flank_difference(base: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``|base[p + (dy, dx)] - base[p - (dy, dx)]|``; 0 within reach of the frame."""
    h, w = base.shape
    r = max(abs(dy), abs(dx))
    out = np.zeros_like(base)
    if h > 2 * r and w > 2 * r:
        ahead = base[r + dy : h - r + dy, r + dx : w - r + dx]
        behind = base[r - dy : h - r - dy, r - dx : w - r - dx]
        np.abs(ahead - behind, out=out[r : h - r, r : w - r])
    return out


@dataclass
class _Evidence:
    """Per-pixel evidence for one polarity, all float32 ``(H, W)``."""

    line_z: np.ndarray  # best line evidence over the directions (others weighted down)
    vertical_z: np.ndarray  # line evidence of the vertical direction alone
    contrast: np.ndarray  # thin contrast, best direction
    thinnest: np.ndarray  # thin contrast, worst direction (high only for blobs)
    pixel_z: np.ndarray  # contrast as a robust z-score
    median: np.ndarray  # local median of the contrast
    spread: np.ndarray  # local robust spread of the contrast
    opacity: np.ndarray  # contrast / headroom to white (bright) or black (dark)


def _evidence(luma: np.ndarray, sign: int, scale: float, t: _Tuning) -> _Evidence:
    op = cv2.MORPH_TOPHAT if sign > 0 else cv2.MORPH_BLACKHAT
    length = _odd(t.tophat_length * scale)
    block = max(int(t.block * scale), 8)
    line_z = vertical_z = contrast = thinnest = None
    for index, (dy, dx) in enumerate(_DIRECTIONS):
        # Contrast across the line: the structuring element runs perpendicular to it.
        kernel = _line_kernel(dx, -dy, length)
        across = cv2.morphologyEx(luma, op, kernel, borderType=cv2.BORDER_REFLECT)
        z = _directional_mean(across, dy, dx, t.vertical_length if index == 0 else t.other_length)
        median, spread = _block_stats(z, block, t.line_floor)
        z -= median
        z /= spread
        if t.flank_weight > 0:
            # A thin line beside an edge (a sharpening halo) has different levels on its two
            # sides; a scratch lies on one background. No line evidence where the flanks
            # differ more than the line stands out.
            reach = length // 2 + 1
            flanks = _flank_difference(luma - sign * across, dx * reach, -dy * reach)
            z[across * t.flank_weight < flanks] = 0
        if index == 0:
            vertical_z = z.copy()
        else:
            z *= t.other_weight
        line_z = z if line_z is None else np.maximum(line_z, z, out=line_z)
        contrast = across.copy() if contrast is None else np.maximum(contrast, across, out=contrast)
        thinnest = across if thinnest is None else np.minimum(thinnest, across, out=thinnest)

    median, spread = _block_stats(contrast, block, t.pixel_floor)
    pixel_z = (contrast - median) / spread
    headroom = (1.0 - luma + contrast) if sign > 0 else (luma + contrast)  # from the background
    opacity = contrast / np.maximum(headroom, 0.05)
    return _Evidence(line_z, vertical_z, contrast, thinnest, pixel_z, median, spread, opacity)


def _detect_sign(luma: np.ndarray, sign: int, sensitivity: float, t: _Tuning) -> np.ndarray:
    """Damage brighter (``sign`` = 1) or darker (-1) than its surroundings, bool ``(H, W)``."""
    height, width = luma.shape
    scale = damage_scale(height, width)
    e = _evidence(luma, sign, scale, t)

    # Seeds: strong evidence with the opacity typical of damage, or overwhelming evidence
    # (a clear line on a clean background) with any visible opacity. Sensitivity scales the
    # seed thresholds by 2 (at 0) to 1/2 (at 1); what seeds grow into does not change, so a
    # higher sensitivity only adds components.
    factor = 2.0 ** (1.0 - 2.0 * sensitivity)
    seed = (
        (e.line_z > factor * t.seed_line_z)
        & (e.pixel_z > factor * t.seed_pixel_z)
        & (e.opacity > factor * t.seed_opacity)
    )
    seed |= (
        (e.line_z > t.clear_factor * factor * t.seed_line_z)
        & (e.pixel_z > t.clear_factor * factor * t.seed_pixel_z)
        & (e.opacity > t.clear_opacity)
    )
    seed &= e.contrast > t.seed_contrast
    low = (e.line_z > t.grow_line_z) & (e.pixel_z > t.grow_pixel_z)
    band = max(1, int(round(t.border * scale)))
    for m in (seed, low):
        m[:band], m[-band:], m[:, :band], m[:, -band:] = False, False, False, False
    lines = _hysteresis(low, seed)

    def line_like(stats: np.ndarray) -> np.ndarray:
        diagonal = np.hypot(stats[:, 2], stats[:, 3])
        mean_width = stats[:, 4] / np.maximum(diagonal, 1)
        return (diagonal >= t.min_length * scale) & (mean_width <= t.max_width * scale)

    lines = _keep_components(lines, line_like)
    lines = _track_vertical(lines, e.vertical_z, e.pixel_z, e.opacity, scale, t)

    dust_seed = (
        ((e.thinnest - e.median) > factor * t.dust_z * e.spread)
        & (e.opacity > factor * t.dust_opacity)
        & (e.thinnest > t.seed_contrast)
    )
    dust = _hysteresis(e.pixel_z > t.grow_pixel_z, dust_seed)
    dust = _keep_components(
        dust, lambda st: np.maximum(st[:, 2], st[:, 3]) <= t.dust_max_size * scale
    )

    found = (lines | dust).astype(np.uint8)
    allowed = ((e.contrast > t.edge_contrast) & (e.pixel_z > t.edge_z)).astype(np.uint8)
    cross = np.ones((3, 3), np.uint8)
    for _ in range(t.edge_steps):
        found = cv2.dilate(found, cross) & (allowed | found)
    return found.astype(bool)


def _detect_one(rgb: np.ndarray, sensitivity: float, t: _Tuning = _TUNING) -> np.ndarray:
    luma = rgb @ _LUMA
    sigma = t.pre_blur * damage_scale(*luma.shape)
    luma = cv2.GaussianBlur(luma, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)
    return _detect_sign(luma, 1, sensitivity, t) | _detect_sign(luma, -1, sensitivity, t)


def detect_damage_classical(image: torch.Tensor, *, sensitivity: float = 0.5) -> torch.Tensor:
    """Find thin scratches, hairs and dust specks without a learned model.

    Args:
        image: float32 RGB ``(B, 3, H, W)`` in [0, 1].
        sensitivity: in [0, 1]; higher finds fainter damage and flags more pixels (the mask at
            a higher sensitivity contains the mask at a lower one).

    Returns:
        float32 mask ``(B, 1, H, W)`` in {0, 1}, 1 = damaged pixel.

    >>> detect_damage_classical(torch.full((1, 3, 32, 32), 0.5)).sum().item()
    0.0
    """
    check_image(image)
    if not (0.0 <= sensitivity <= 1.0 and math.isfinite(sensitivity)):
        raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity}")
    masks = []
    for i in range(image.shape[0]):
        rgb = tensor_to_numpy(image[i : i + 1], np.float32)
        masks.append(numpy_to_tensor(_detect_one(rgb, sensitivity)))
    return torch.cat(masks).to(image.device)

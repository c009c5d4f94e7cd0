"""Scanning and print conditions, applied to a (possibly damaged) print as the scan sees it.

Every condition is ``condition(image, rng) -> image`` on float32 RGB ``(H, W, 3)`` numpy arrays
in [0, 1]; the shape never changes. Physical sizes (grain, blur, screen period, streak width)
are given for a photo whose long side is 1000 px and scale with the long side, so the same print
scanned larger has proportionally larger grain, blur and dots. Parameters are drawn from
``rng`` in a fixed order: the same generator state gives the same scan, so a clean print and its
damaged copy scanned with equal generators see identical noise.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

from .tones import luma, smooth_field

Condition = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def scale_of(image: np.ndarray) -> float:
    """Size factor of ``image``: its long side / 1000 px."""
    return max(image.shape[:2]) / 1000.0


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def clean(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A perfect scan: the print unchanged (a copy)."""
    return image.astype(np.float32, copy=True)


def _sized_noise(shape: tuple[int, int], rng: np.random.Generator, size: float) -> np.ndarray:
    """Zero-mean, unit-std noise ``(H, W)`` float32 with blobs about ``size`` px across."""
    h, w = shape
    factor = max(size, 1.0)
    gh, gw = max(2, round(h / factor)), max(2, round(w / factor))
    coarse = rng.standard_normal((gh, gw)).astype(np.float32)
    noise = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.35 * size, 0.3))
    return (noise - noise.mean()) / max(float(noise.std()), 1e-6)


def grain(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Film grain: clumps 1-3 px across (at 1000 px), strongest in the midtones (amplitude
    0.025-0.07 times ``4 y (1 - y)``, floor 25 %), mostly luminance with a little chroma."""
    s = scale_of(image)
    size = _u(rng, 1.0, 3.0) * s
    amp = _u(rng, 0.025, 0.07)
    chroma = _u(rng, 0.0, 0.25)
    h, w = image.shape[:2]
    y = luma(image)
    weight = amp * (0.25 + 0.75 * 4 * y * (1 - y))
    common = _sized_noise((h, w), rng, size)
    out = image + (weight * common)[..., None]
    if chroma > 0:
        for c in range(3):
            out[..., c] += chroma * weight * _sized_noise((h, w), rng, size)
    return np.clip(out, 0, 1).astype(np.float32)


def blur(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Soft focus: Gaussian defocus (sigma 0.6-2 px at 1000 px) or, one time in three, a
    slight motion blur (an oriented Gaussian, sigma 0.6-2 px along a random direction, 0.3-0.6
    px across)."""
    s = scale_of(image)
    sigma = _u(rng, 0.6, 2.0) * s
    if rng.random() < 2 / 3:
        return cv2.GaussianBlur(image, (0, 0), sigma).astype(np.float32)
    across = _u(rng, 0.3, 0.6) * s
    angle = _u(rng, 0, np.pi)
    radius = int(np.ceil(3 * sigma))
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float32)
    along = xx * np.cos(angle) + yy * np.sin(angle)
    perp = -xx * np.sin(angle) + yy * np.cos(angle)
    kernel = np.exp(-0.5 * ((along / sigma) ** 2 + (perp / max(across, 0.2)) ** 2))
    kernel /= kernel.sum()
    return cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT).astype(np.float32)


def jpeg(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """JPEG compression by PIL at quality 30-90 (4:2:0 chroma subsampling below 75)."""
    quality = int(rng.integers(30, 91))
    pixels = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    subsampling = 2 if quality < 75 else 0
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"), np.float32) / 255.0


def _screen(coverage: np.ndarray, period: float, angle: float, soft: float) -> np.ndarray:
    """Ink fraction ``(H, W)`` of an AM halftone: a grid of round dots of ``period`` px turned
    by ``angle`` radians, each dot's area = the local ``coverage`` in [0, 1] (dots merge into a
    chequer and then into holes above 50 %), edges anti-aliased over ``soft`` px."""
    h, w = coverage.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (xx * np.cos(angle) + yy * np.sin(angle)) / period
    v = (-xx * np.sin(angle) + yy * np.cos(angle)) / period
    # Classic round-square spot function in [-1, 1]; high at the cell centre.
    spot = 0.5 * (np.cos(2 * np.pi * u) + np.cos(2 * np.pi * v))
    # Threshold so the inked area fraction equals the coverage: for this spot function the
    # area above t is monotone in t; a 257-entry table maps coverage to t.
    table_t = np.linspace(-1, 1, 257, dtype=np.float32)
    grid = np.linspace(0, 1, 64, endpoint=False) + 1 / 128
    gu, gv = np.meshgrid(grid, grid)
    samples = np.sort((0.5 * (np.cos(2 * np.pi * gu) + np.cos(2 * np.pi * gv))).ravel())
    area_above = 1.0 - np.searchsorted(samples, table_t) / samples.size
    threshold = np.interp(coverage, area_above[::-1], table_t[::-1]).astype(np.float32)
    width = soft / period * 2.5  # spot slope near the edge is ~ 2.5 per cell
    return np.clip(0.5 + (spot - threshold) / max(width, 1e-3), 0, 1).astype(np.float32)


def halftone(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An AM halftone reproduction, scanned. The print is separated into C, M, Y, K inks
    (grey-component replacement 60-100 %, so a monochrome print is mostly one black screen),
    each ink screened with round dots at its own angle (15, 75, 0, 45 degrees, the whole set
    turned by up to 10 degrees); the screen period is 2.5-8 px at 1000 px (coarse newspaper to
    fine magazine screens). The paper shows through; the scanner then blurs the dots mildly
    (sigma 0.4-0.9 of the period's 1/4)."""
    s = scale_of(image)
    period = _u(rng, 2.5, 8.0) * s
    turn = np.deg2rad(_u(rng, -10, 10))
    gcr = _u(rng, 0.6, 1.0)
    paper = np.array([_u(rng, 0.93, 1.0), _u(rng, 0.92, 0.99), _u(rng, 0.88, 0.97)], np.float32)
    cmy = 1.0 - np.clip(image / paper, 0, 1)
    k = gcr * cmy.min(axis=2)
    cmy = (cmy - k[..., None]) / np.maximum(1.0 - k[..., None], 1e-3)
    soft = 0.6
    ink = {
        "c": _screen(cmy[..., 0], period, turn + np.deg2rad(15), soft),
        "m": _screen(cmy[..., 1], period, turn + np.deg2rad(75), soft),
        "y": _screen(cmy[..., 2], period, turn, soft),
        "k": _screen(k, period, turn + np.deg2rad(45), soft),
    }
    out = np.empty_like(image)
    out[..., 0] = paper[0] * (1 - ink["c"]) * (1 - ink["k"])
    out[..., 1] = paper[1] * (1 - ink["m"]) * (1 - ink["k"])
    out[..., 2] = paper[2] * (1 - ink["y"]) * (1 - ink["k"])
    sigma = _u(rng, 0.4, 0.9) * period / 4
    return np.clip(cv2.GaussianBlur(out, (0, 0), sigma), 0, 1).astype(np.float32)


def scanner_noise(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flatbed sensor noise: signal-dependent per-channel noise (std 0.004-0.015 plus shot
    noise 0.01-0.03 * sqrt(v)), faint banding along the scan direction (each line offset by
    0.002-0.008, low-pass along the sweep) and 0-4 faint streaks (0.01-0.035) 1-3 px wide that
    run the whole length of the scan."""
    h, w = image.shape[:2]
    s = scale_of(image)
    read = _u(rng, 0.004, 0.015)
    shot = _u(rng, 0.01, 0.03)
    vertical = rng.random() < 0.5  # the sensor moves down the page: lines are rows
    std = read + shot * np.sqrt(np.clip(image, 0, 1))
    out = image + std * rng.standard_normal(image.shape).astype(np.float32)
    lines = w if vertical else h
    band = rng.standard_normal(lines).astype(np.float32)
    band = cv2.GaussianBlur(band[None, :], (0, 0), max(1.0, 2 * s))[0]
    band *= _u(rng, 0.002, 0.008) / max(float(band.std()), 1e-6)
    for _ in range(int(rng.integers(0, 5))):
        at = int(rng.integers(0, lines))
        width = max(1, round(_u(rng, 1, 3) * s))
        band[at : at + width] += _u(rng, 0.01, 0.035) * rng.choice([-1.0, 1.0])
    out += band[None, :, None] if vertical else band[:, None, None]
    return np.clip(out, 0, 1).astype(np.float32)


def vignetting(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven exposure: a radial falloff (10-40 % darker at the far corner, off-centre, power
    1.5-3) times a smooth exposure gradient (+-4-15 % across the photo along a random
    direction) and a faint low-frequency unevenness (+-3 %)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * _u(rng, 0.35, 0.65), h * _u(rng, 0.35, 0.65)
    r = np.hypot(xx - cx, yy - cy)
    falloff = 1.0 - _u(rng, 0.10, 0.40) * (r / r.max()) ** _u(rng, 1.5, 3.0)
    angle = _u(rng, 0, 2 * np.pi)
    ramp = (xx - w / 2) * np.cos(angle) + (yy - h / 2) * np.sin(angle)
    ramp /= max(float(np.abs(ramp).max()), 1e-6)
    gain = falloff * (1.0 + _u(rng, 0.04, 0.15) * ramp)
    gain *= 1.0 + 0.06 * (smooth_field((h, w), rng, 3) - 0.5)
    return np.clip(image * gain[..., None], 0, 1).astype(np.float32)


CONDITIONS: dict[str, Condition] = {
    "clean": clean,
    "grain": grain,
    "blur": blur,
    "jpeg": jpeg,
    "halftone": halftone,
    "scanner_noise": scanner_noise,
    "vignetting": vignetting,
}

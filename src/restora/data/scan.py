"""Randomised scanning and reproduction artefacts, applied to a (damaged) print for training.

:func:`random_scan` imitates how a print reaches the computer: uneven exposure and vignetting,
soft focus, lost resolution, a halftone screen (a photo reproduced in a book or newspaper),
film grain, sensor noise with banding along the scan direction and JPEG compression — a random
subset of them in that order, each with a random strength. They come *after* the damage, so
scratches and cracks carry the same grain, blur and compression as the photo around them (a
detector must not learn "damage is the part without noise"). None of them is damage: the
damage mask does not change.

Works on numpy float32 ``(H, W, 3)`` in [0, 1] internally; the public function takes and
returns the library's ``(1, 3, H, W)`` tensors. Sizes scale with ``scale`` (1 for a ~512 px
photo, see :func:`restora.data.aging.resolution_scale`).
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.data.aging import resolution_scale
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

__all__ = ["random_scan"]

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _exposure(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vignetting (radial falloff) times a smooth exposure gradient across the frame."""
    h, w = x.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w
    r2 = ((ys - cy) / (0.5 * h)) ** 2 + ((xs - cx) / (0.5 * w)) ** 2
    field = 1.0 - rng.uniform(0.0, 0.35) * np.clip(r2 / 2.0, 0, 1.5)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * (xs / w - 0.5) + np.sin(angle) * (ys / h - 0.5)).astype(np.float32)
    field *= 1.0 + rng.uniform(-0.3, 0.3) * ramp
    return x * field[:, :, None]


def _defocus(x: np.ndarray, rng: np.random.Generator, scale: float) -> np.ndarray:
    sigma = rng.uniform(0.4, 1.8) * scale
    return cv2.GaussianBlur(x, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)


def _resolution_loss(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = x.shape[:2]
    factor = rng.uniform(1.3, 3.0)
    small = (max(2, int(round(w / factor))), max(2, int(round(h / factor))))
    down = cv2.resize(x, small, interpolation=cv2.INTER_AREA)
    method = cv2.INTER_CUBIC if rng.random() < 0.6 else cv2.INTER_LINEAR
    return cv2.resize(down, (w, h), interpolation=method)


def _dots(
    shape: tuple[int, int], cover: np.ndarray, period: float, angle: float, offset: np.ndarray
) -> np.ndarray:
    """Round ink dots on a grid of ``period`` px rotated by ``angle`` degrees, each covering
    the fraction ``cover`` (H, W) in [0, 1] of its cell: ink coverage (H, W) in [0, 1]."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    c, s = np.float32(np.cos(np.deg2rad(angle))), np.float32(np.sin(np.deg2rad(angle)))
    u = (x * c + y * s) / period + offset[0]
    v = (-x * s + y * c) / period + offset[1]
    distance = np.hypot(u - np.round(u), v - np.round(v))
    # A disc of area ``cover`` (in cells); where dots merge (cover > pi/4) the square fills.
    radius = np.sqrt(np.clip(cover, 0, 1) / np.pi) * np.where(cover > 0.785, 1.15, 1.0)
    return np.clip((radius - distance) * period + 0.5, 0.0, 1.0)


def _screen(x: np.ndarray, rng: np.random.Generator, scale: float) -> np.ndarray:
    """A halftone reproduction of the print (a photo in a book or newspaper), as scanned:
    one ink (monochrome, in the print's own darkest colour) or four process inks (CMYK at
    their screen angles), round dots of 2-8 px (x ``scale``), slightly softened."""
    h, w = x.shape[:2]
    period = rng.uniform(2.2, 8.0) * scale
    turn = rng.uniform(0, 90)
    smooth = cv2.GaussianBlur(x, (0, 0), sigmaX=0.3 * period)
    if rng.random() < 0.5:
        luma = smooth @ _LUMA
        ink = np.percentile(x.reshape(-1, 3), 1, axis=0).astype(np.float32)
        paper = np.percentile(x.reshape(-1, 3), 99, axis=0).astype(np.float32)
        cover = (paper @ _LUMA - luma) / max(float((paper - ink) @ _LUMA), 0.05)
        dots = _dots((h, w), cover, period, 45 + turn, rng.random(2))[:, :, None]
        out = paper * (1 - dots) + ink * dots
    else:
        cmy = 1.0 - np.clip(smooth, 0, 1)
        black = cmy.min(axis=2) * rng.uniform(0.3, 1.0)
        inks = [(cmy[:, :, i] - black) / np.maximum(1 - black, 1e-3) for i in range(3)]
        angles = (15.0, 75.0, 0.0)
        out = np.ones_like(x)
        for i, (cover, angle) in enumerate(zip(inks, angles, strict=True)):
            out[:, :, i] *= 1 - _dots((h, w), cover, period, angle + turn, rng.random(2))
        out *= 1 - _dots((h, w), black, period, 45 + turn, rng.random(2))[:, :, None]
    sigma = rng.uniform(0.0, 0.35) * period
    if sigma > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), sigmaX=sigma)
    strength = rng.uniform(0.6, 1.0)
    return (1 - strength) * x + strength * out


def _grain(x: np.ndarray, rng: np.random.Generator, scale: float) -> np.ndarray:
    h, w = x.shape[:2]
    sigma = rng.uniform(0.01, 0.07)
    size = rng.uniform(0.4, 1.6) * scale
    colour = rng.random() < 0.3
    noise = rng.standard_normal((h, w, 3) if colour else (h, w, 1)).astype(np.float32)
    if size > 0.5:
        noise = cv2.GaussianBlur(noise, (0, 0), sigmaX=size).reshape(noise.shape)
        noise /= max(float(noise.std()), 1e-6)
    luma = np.clip(x @ _LUMA, 0, 1)[:, :, None]
    envelope = 0.3 + 0.7 * np.sqrt(4 * luma * (1 - luma))
    return x + sigma * envelope * noise


def _sensor(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = x.shape[:2]
    out = x + rng.uniform(0.003, 0.03) * rng.standard_normal(x.shape).astype(np.float32)
    if rng.random() < 0.4:  # banding: per-line offsets along the scan direction
        along_rows = rng.random() < 0.5
        count = h if along_rows else w
        lines = rng.standard_normal(count).astype(np.float32) * rng.uniform(0.002, 0.015)
        lines = cv2.GaussianBlur(lines[:, None], (0, 0), sigmaX=rng.uniform(0.5, 3))[:, 0]
        out = out + (lines[:, None, None] if along_rows else lines[None, :, None])
    return out


def _sharpen(x: np.ndarray, rng: np.random.Generator, scale: float) -> np.ndarray:
    """Unsharp masking as scanner software and web images apply it: bright and dark halos
    along every edge of the photo (which are not damage)."""
    sigma = rng.uniform(0.7, 2.5) * scale
    amount = rng.uniform(0.3, 1.5)
    blurred = cv2.GaussianBlur(x, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)
    return x + amount * (x - blurred)


def _jpeg(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    quality = int(rng.integers(25, 96))
    bgr = cv2.cvtColor(np.rint(np.clip(x, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not encode the image as JPEG")
    decoded = cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return decoded.astype(np.float32) / 255.0


def random_scan(
    image: torch.Tensor,
    *,
    rng: np.random.Generator,
    probability: float = 1.0,
    sharpen: float = 0.0,
) -> torch.Tensor:
    """Scan a print: with ``probability``, a random subset of exposure falloff, defocus,
    resolution loss, halftone screen, grain, sensor noise (with banding), sharpening (with
    probability ``sharpen``) and JPEG, in that order (see the module docstring).

    Args:
        image: float32 RGB ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives the same scan.
        probability: chance that any artefact is applied at all.
        sharpen: chance of unsharp masking; 0 draws no random numbers for it, so scans
            without it keep their seeded output.

    Returns:
        float32 RGB ``(1, 3, H, W)`` in [0, 1].

    >>> out = random_scan(torch.full((1, 3, 16, 16), 0.5), rng=np.random.default_rng(0))
    >>> out.shape
    torch.Size([1, 3, 16, 16])
    """
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got batch of {image.shape[0]}")
    if not (0.0 <= probability <= 1.0 and 0.0 <= sharpen <= 1.0):
        raise ValueError(f"probability and sharpen must be in [0, 1], got {probability}, {sharpen}")
    if rng.random() >= probability:
        return image.float().clone()
    x = tensor_to_numpy(image, np.float32)
    scale = resolution_scale(*x.shape[:2])
    steps = (
        (0.35, lambda v: _exposure(v, rng)),
        (0.35, lambda v: _defocus(v, rng, scale)),
        (0.2, lambda v: _resolution_loss(v, rng)),
        (0.15, lambda v: _screen(v, rng, scale)),
        (0.5, lambda v: _grain(v, rng, scale)),
        (0.3, lambda v: _sensor(v, rng)),
        (sharpen, lambda v: _sharpen(v, rng, scale)),
        (0.4, lambda v: _jpeg(v, rng)),
    )
    for chance, step in steps:
        if chance > 0 and rng.random() < chance:
            x = np.clip(step(x), 0.0, 1.0).astype(np.float32)
    return numpy_to_tensor(x)

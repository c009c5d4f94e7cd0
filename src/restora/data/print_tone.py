"""Domain-randomised print tones for training: every way an old print's colours can come out.

:func:`random_print_tone` turns a clean colour photo into a print of a random process and age:
a monochrome print (any film sensitivity, any toning — neutral, warm, brown, purple, blue, green
— any paper colour, lifted blacks, dim whites, low or high contrast), a colour print whose dyes
faded unevenly (casts, lost saturation), or a monochrome print with hand-applied colour washes.
It deliberately spans far more than real processes do (domain randomisation), so a detector
trained on it cannot key on one toning recipe; one photo in ten is left as it is.

The model per channel ``c`` is ``black[c] + (white[c] - black[c]) * base ** gamma[c]``: the
channel's own black level (coloured shadows), paper colour (``white``) and curve (``gamma``,
which bends mid-tones toward a hue); a smooth contrast curve on ``base`` comes first. Works on
numpy float32 ``(H, W, 3)`` in [0, 1]; a tensor wrapper keeps the library's contract.
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

__all__ = ["print_tone", "random_print_tone"]

_PANCHROMATIC = np.array([0.30, 0.59, 0.11], np.float32)
_ORTHOCHROMATIC = np.array([0.05, 0.45, 0.50], np.float32)  # blind to red: dark lips, pale skies


def _hue_vector(hue: float, chroma: float) -> np.ndarray:
    """An RGB offset of zero mean luminance-ish for a hue in [0, 1) and a chroma in [0, 1]."""
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, 1.0, 1.0)
    vector = np.array([r, g, b], np.float32)
    return chroma * (vector - vector.mean())


def _contrast_curve(x: np.ndarray, amount: float) -> np.ndarray:
    """S-curve (``amount`` > 0) or flattening (< 0) around 0.5, fixing 0 and 1."""
    if abs(amount) < 1e-3:
        return x
    s = x * x * (3 - 2 * x)  # smoothstep
    return np.clip(x + amount * (s - x), 0.0, 1.0)


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Low-frequency noise in [0, 1] with features about ``scale`` px wide."""
    h, w = shape
    small = (max(2, int(h / scale) + 2), max(2, int(w / scale) + 2))
    field = rng.random(small).astype(np.float32)
    field = cv2.resize(field, (w, h), interpolation=cv2.INTER_CUBIC)
    lo, hi = float(field.min()), float(field.max())
    return (field - lo) / max(hi - lo, 1e-6)


def _monochrome_base(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Luminance of a random film sensitivity (panchromatic to orthochromatic), in [0, 1]."""
    mix = float(rng.beta(0.7, 2.0))
    weights = (1 - mix) * _PANCHROMATIC + mix * _ORTHOCHROMATIC
    weights = weights * rng.uniform(0.8, 1.2, 3).astype(np.float32)
    return np.clip(rgb @ (weights / weights.sum()), 0.0, 1.0)


def _channel_levels(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random (black, white, gamma) per channel: toning hue, paper colour and fading."""
    faded = rng.random() < 0.6
    black = rng.uniform(0.1, 0.45) if faded else rng.uniform(0.0, 0.12)
    white = rng.uniform(0.65, 0.97) if faded else rng.uniform(0.85, 1.0)
    if white - black < 0.3:
        black = white - 0.3
    gamma = rng.uniform(0.7, 1.4)
    # Mid-tone hue (toning), shadow hue (split toning), paper tint: chroma mostly low.
    tone_hue = rng.uniform(0.0, 0.2) if rng.random() < 0.6 else rng.random()
    tone_chroma = rng.choice([0.0, rng.uniform(0.0, 0.5), rng.uniform(0.3, 0.9)], p=[0.2, 0.5, 0.3])
    shadow_hue = tone_hue if rng.random() < 0.6 else rng.random()
    shadow_chroma = rng.uniform(0.0, 0.15)
    paper_hue, paper_chroma = rng.uniform(0.05, 0.17), rng.uniform(0.0, 0.12)
    gammas = gamma * np.exp(-_hue_vector(tone_hue, tone_chroma) * 1.2)
    blacks = np.clip(black + _hue_vector(shadow_hue, shadow_chroma), 0.0, 0.6)
    whites = np.clip(white + _hue_vector(paper_hue, paper_chroma), 0.4, 1.0)
    return blacks.astype(np.float32), whites.astype(np.float32), gammas.astype(np.float32)


def _apply_levels(
    base: np.ndarray, blacks: np.ndarray, whites: np.ndarray, gammas: np.ndarray
) -> np.ndarray:
    """``black + (white - black) * base ** gamma`` per channel; ``base`` (H, W) or (H, W, 3)."""
    if base.ndim == 2:
        base = base[:, :, None]
    return blacks + (whites - blacks) * np.power(np.clip(base, 0.0, 1.0), gammas)


def _hand_tint(toned: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Translucent colour washes over random smooth regions (tinted cheeks, clothes, skies)."""
    h, w = toned.shape[:2]
    out = toned
    for _ in range(int(rng.integers(1, 5))):
        region = _smooth_field(rng, (h, w), rng.uniform(0.1, 0.4) * max(h, w))
        cut = rng.uniform(0.45, 0.8)
        alpha = np.clip((region - cut) / rng.uniform(0.03, 0.15), 0, 1) * rng.uniform(0.15, 0.5)
        colour = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.3, 0.8), 1.0))
        out = out * (1 - alpha[:, :, None] * (1 - colour.astype(np.float32)))
    return out


def print_tone(
    rgb: np.ndarray,
    *,
    blacks: np.ndarray,
    whites: np.ndarray,
    gammas: np.ndarray,
    contrast: float = 0.0,
    saturation: float = 0.0,
) -> np.ndarray:
    """A print of ``rgb`` ``(H, W, 3)`` in [0, 1] with the given per-channel levels.

    ``saturation`` 0 prints a monochrome (panchromatic) image, 1 keeps the photo's colours
    (a colour print); between, a partly faded colour print. ``contrast`` in [-1, 1] flattens or
    steepens the tone curve first. Returns float32 ``(H, W, 3)`` in [0, 1].

    >>> gray = print_tone(np.full((2, 2, 3), 0.5, np.float32), blacks=np.zeros(3),
    ...                   whites=np.ones(3), gammas=np.ones(3))
    >>> bool(np.allclose(gray, 0.5))
    True
    """
    luma = np.clip(rgb @ _PANCHROMATIC, 0.0, 1.0)
    base = luma[:, :, None] + saturation * (rgb - luma[:, :, None])
    base = _contrast_curve(np.clip(base, 0.0, 1.0), contrast)
    return np.clip(_apply_levels(base, blacks, whites, gammas), 0.0, 1.0).astype(np.float32)


def _random_print_np(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    kind = rng.choice(["original", "mono", "color", "tinted"], p=[0.1, 0.58, 0.2, 0.12])
    if kind == "original":  # a well-kept colour photo or a modern print: left as it is
        return rgb.astype(np.float32)
    blacks, whites, gammas = _channel_levels(rng)
    contrast = float(rng.uniform(-0.8, 0.8))
    if kind == "color":
        # Dyes fade unevenly: a channel-specific curve on the photo's own colours.
        saturation = float(rng.uniform(0.25, 1.1))
        return print_tone(
            rgb,
            blacks=blacks,
            whites=whites,
            gammas=gammas,
            contrast=contrast,
            saturation=saturation,
        )
    base = _contrast_curve(_monochrome_base(rgb, rng), contrast)
    toned = _apply_levels(base, blacks, whites, gammas)
    if kind == "tinted":
        toned = _hand_tint(toned, rng)
    return np.clip(toned, 0.0, 1.0).astype(np.float32)


def random_print_tone(image: torch.Tensor, *, rng: np.random.Generator) -> torch.Tensor:
    """A print of a random process and age (see the module docstring) of a clean photo.

    Args:
        image: float32 RGB ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives the same print.

    Returns:
        float32 RGB ``(1, 3, H, W)`` in [0, 1].

    >>> out = random_print_tone(torch.rand(1, 3, 8, 8), rng=np.random.default_rng(0))
    >>> out.shape, bool(out.min() >= 0 and out.max() <= 1)
    (torch.Size([1, 3, 8, 8]), True)
    """
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got batch of {image.shape[0]}")
    rgb = tensor_to_numpy(image, np.float32)
    return numpy_to_tensor(_random_print_np(rgb, rng))

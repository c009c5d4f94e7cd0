"""Pillow image (any mode) -> HWC arrays + alpha, with notes on every conversion made."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from restora.core.errors import ImageReadError

_CONVERT_TO_RGB = {"CMYK", "YCbCr", "LAB", "HSV", "RGBX"}
_SIXTEEN_BIT_GRAY = {"I;16", "I;16L", "I;16B", "I;16N"}


@dataclass
class Pixels:
    """Decoded pixels: ``color`` (H, W) gray or (H, W, 3) RGB, ``alpha`` (H, W) or None.

    Integer arrays are uint8 or uint16 (full range); float arrays are float32 in [0, 1].
    """

    color: np.ndarray
    alpha: np.ndarray | None
    bit_depth: int
    notes: list[str] = field(default_factory=list)


def _gray16(image: Image.Image, notes: list[str]) -> np.ndarray:
    array = np.asarray(image)
    if image.mode == "I":
        if array.min() < 0 or array.max() > 65535:
            notes.append("32-bit integer values clipped to 0..65535")
        array = np.clip(array, 0, 65535)
    return array.astype(np.uint16)


def _gray_float(image: Image.Image, notes: list[str]) -> np.ndarray:
    array = np.asarray(image, dtype=np.float32)
    if not np.isfinite(array).all():
        notes.append("non-finite float values set to 0")
        array = np.nan_to_num(array, nan=0.0, posinf=1.0, neginf=0.0)
    if array.min() < 0 or array.max() > 1:
        notes.append(f"float values in [{array.min():.4g}, {array.max():.4g}] clipped to [0, 1]")
    return np.clip(array, 0.0, 1.0)


def _normalise_mode(image: Image.Image, notes: list[str]) -> Image.Image:
    """Convert to one of L, LA, RGB, RGBA (8-bit modes only)."""
    mode = image.mode
    has_key = "transparency" in image.info
    if mode == "1":
        notes.append("1-bit image converted to 8-bit gray")
        return image.convert("L")
    if mode in ("P", "PA"):
        if has_key or mode == "PA" or (image.palette is not None and image.palette.mode == "RGBA"):
            notes.append("palette with transparency expanded to RGBA")
            return image.convert("RGBA")
        notes.append("palette expanded to RGB")
        return image.convert("RGB")
    if mode in ("L", "RGB") and has_key:
        notes.append("transparent colour key expanded to an alpha channel")
        return image.convert("LA" if mode == "L" else "RGBA")
    if mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if mode in ("La", "RGBa"):
        return image.convert(mode.upper())  # un-premultiply
    if mode in _CONVERT_TO_RGB:
        if mode != "RGBX":
            notes.append(f"{mode} converted to RGB")
        return image.convert("RGB")
    try:
        converted = image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise ImageReadError(f"unsupported image mode {mode!r} ({exc})") from None
    notes.append(f"{mode} converted to RGB")
    return converted


def pil_pixels(image: Image.Image) -> Pixels:
    """Pixels of a loaded Pillow image (already in display orientation)."""
    notes: list[str] = []
    if image.mode in _SIXTEEN_BIT_GRAY or image.mode == "I":
        return Pixels(_gray16(image, notes), None, 16, notes)
    if image.mode == "F":
        return Pixels(_gray_float(image, notes), None, 32, notes)
    image = _normalise_mode(image, notes)
    array = np.asarray(image)
    if image.mode == "L":
        return Pixels(array, None, 8, notes)
    if image.mode == "LA":
        return Pixels(array[..., 0], array[..., 1], 8, notes)
    if image.mode == "RGBA":
        return Pixels(array[..., :3], array[..., 3], 8, notes)
    return Pixels(array, None, 8, notes)

"""`write_image`: a tensor back to PNG / JPEG / TIFF / WebP, like the file it came from."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch

from restora.core.checks import check_range
from restora.core.errors import ImageWriteError
from restora.io.arrays import tensor_to_numpy
from restora.io.atomic import atomic_write_bytes, check_output_path
from restora.io.encode import SUFFIX_FORMATS, encode
from restora.io.meta import ImageMeta

_DTYPES = {8: np.uint8, 16: np.uint16, 32: np.float32}


def output_format(path: str | os.PathLike) -> str:
    """Return "PNG", "JPEG", "TIFF" or "WEBP" from the suffix; `ImageWriteError` otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        known = ", ".join(SUFFIX_FORMATS)
        raise ImageWriteError(
            f"cannot write '{path}': unknown image suffix {suffix!r} (use {known})"
        )
    return SUFFIX_FORMATS[suffix]


def _single(x: torch.Tensor, name: str, channels: tuple[int, ...]) -> torch.Tensor:
    """(1, C, H, W) or (C, H, W) float in [0, 1] -> (C, H, W), C in ``channels``."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    single = x[0] if x.ndim == 4 and x.shape[0] == 1 else x
    if single.ndim != 3 or single.shape[0] not in channels:
        shapes = " or ".join(f"(1, {c}, H, W)" for c in channels)
        raise ValueError(
            f"{name} must have shape {shapes} (or without the batch), got {tuple(x.shape)}"
        )
    if not single.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {single.dtype}")
    if not bool(torch.isfinite(single).all()):
        raise ValueError(f"{name} contains NaN or infinity")
    check_range(single, 0.0, 1.0, name)
    return single


def _target_depth(fmt: str, bit_depth: int | None, meta: ImageMeta | None) -> int:
    depth = bit_depth if bit_depth is not None else (meta.bit_depth if meta is not None else 8)
    if depth not in _DTYPES:
        raise ValueError(f"bit_depth must be 8, 16 or 32, got {depth}")
    if fmt in ("JPEG", "WEBP"):
        return 8
    if fmt == "PNG":
        return min(depth, 16)
    return depth


def quantize(
    image: torch.Tensor,
    alpha: torch.Tensor | None,
    *,
    depth: int,
    keep_gray: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Tensors -> (H, W) gray or (H, W, 3) RGB array (+ (H, W) alpha) of the depth's dtype.

    Three equal channels become one gray channel when ``keep_gray`` (the original was gray).
    """
    dtype = _DTYPES[depth]
    color = tensor_to_numpy(image, dtype)
    if color.shape[2] == 1:
        color = color[..., 0]
    elif (
        keep_gray
        and np.array_equal(color[..., 0], color[..., 1])
        and np.array_equal(color[..., 1], color[..., 2])
    ):
        color = np.ascontiguousarray(color[..., 0])
    plane = None if alpha is None else tensor_to_numpy(alpha, dtype)[..., 0]
    return color, plane


def encode_image(
    image: torch.Tensor,
    fmt_or_path: str | os.PathLike,
    *,
    alpha: torch.Tensor | None = None,
    meta: ImageMeta | None = None,
    bit_depth: int | None = None,
    quality: int = 95,
) -> bytes:
    """The bytes `write_image` would write: ``fmt_or_path`` is a file name (its suffix picks the
    format) or "PNG" / "JPEG" / "TIFF" / "WEBP". Same inputs, rules and warnings as
    `write_image`; nothing is written.

    A warning (``UserWarning``) says when the format cannot keep something of the input: the
    alpha channel (JPEG), or bits per channel (a 16-bit image as 8-bit JPEG/WebP, 32-bit float
    as 16-bit PNG).
    """
    text = os.fspath(fmt_or_path)
    fmt = text if text in SUFFIX_FORMATS.values() else output_format(text)
    color = _single(image, "image", (1, 3))
    plane = None
    if alpha is not None:
        plane = _single(alpha, "alpha", (1,))
        if plane.shape[-2:] != color.shape[-2:]:
            raise ValueError(
                f"alpha size {tuple(plane.shape[-2:])} does not match image size {tuple(color.shape[-2:])}"
            )
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in 1..100, got {quality}")
    depth = _target_depth(fmt, bit_depth, meta)
    wanted = bit_depth if bit_depth is not None else (meta.bit_depth if meta is not None else 8)
    if depth < wanted:
        warnings.warn(
            f"{fmt} stores at most {depth} bits per channel: the {wanted}-bit image is written "
            f"with {depth} bits (use png or tif to keep {wanted} bits)",
            stacklevel=2,
        )
    keep_gray = meta is not None and meta.is_gray
    array, alpha_array = quantize(color, plane, depth=depth, keep_gray=keep_gray)
    return encode(
        array,
        alpha_array,
        fmt,
        icc=meta.icc_profile if meta is not None else None,
        exif=meta.exif if meta is not None else None,
        quality=quality,
    )


def write_image(
    path: str | os.PathLike,
    image: torch.Tensor,
    *,
    alpha: torch.Tensor | None = None,
    meta: ImageMeta | None = None,
    bit_depth: int | None = None,
    quality: int = 95,
    overwrite: bool = False,
    protected: Iterable[str | os.PathLike] = (),
) -> Path:
    """Write ``image`` (1, 3, H, W), (3, H, W) or (1, 1, H, W) float in [0, 1]; return the path.

    The format follows the suffix (.png .jpg/.jpeg .tif/.tiff .webp). ``bit_depth`` None takes
    ``meta.bit_depth`` (else 8); 16 is honoured by PNG/TIFF, 32 (float) by TIFF (PNG stores
    16), JPEG/WebP always store 8. With ``meta`` of a gray original (mode L/LA/I;16/I/F) and
    still-equal channels the file is gray. ``alpha`` (1, 1, H, W) is kept by PNG/TIFF/WebP
    (dropped with a warning for JPEG; 16-bit gray + alpha is stored as 16-bit RGBA); fewer
    bits than the input's are written with a warning. ``meta.icc_profile`` is embedded when its
    colour space matches, and ``meta.exif`` (Orientation = 1) for PNG/JPEG/WebP/8-bit TIFF; 16/32-bit TIFF
    (written by OpenCV) carries neither (a warning says so).

    The write is atomic (temp file + fsync + rename, parents created). Raises
    `UnsafeOutputError`, before writing anything, when ``path`` is the same file as one of
    ``protected`` (even with ``overwrite``) or exists without ``overwrite``; `ImageWriteError`
    for unknown suffixes or system errors.
    """
    protected = tuple(protected)
    output_format(path)
    target = check_output_path(path, overwrite=overwrite, protected=protected)
    data = encode_image(image, path, alpha=alpha, meta=meta, bit_depth=bit_depth, quality=quality)
    return atomic_write_bytes(target, data, overwrite=overwrite, protected=protected)

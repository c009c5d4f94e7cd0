"""Encode HWC arrays to PNG / JPEG / TIFF / WebP bytes (Pillow for 8 bit, OpenCV for 16/32 bit).

Inputs are already quantized: ``color`` is (H, W) gray or (H, W, 3) RGB, uint8 / uint16 /
float32; ``alpha`` (H, W) of the same dtype or None. BGR exists only inside `_opencv_encode`.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

from restora.core.errors import ImageWriteError
from restora.io.png_chunks import insert_png_chunks

SUFFIX_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}
ALPHA_FORMATS = {"PNG", "TIFF", "WEBP"}


def compatible_icc(icc: bytes | None, gray: bool) -> bytes | None:
    """``icc`` if its colour space (header bytes 16..20) matches the output, else None + warning."""
    if not icc:
        return None
    space = icc[16:20] if len(icc) >= 20 else b""
    if space == (b"GRAY" if gray else b"RGB "):
        return icc
    warnings.warn(
        f"ICC profile for colour space {space.decode('latin-1').strip()!r} not embedded in a "
        f"{'gray' if gray else 'RGB'} image",
        stacklevel=3,
    )
    return None


def _pil_encode(
    color: np.ndarray,
    alpha: np.ndarray | None,
    fmt: str,
    *,
    icc: bytes | None,
    exif: bytes | None,
    quality: int,
) -> bytes:
    gray = color.ndim == 2
    if fmt == "WEBP" and gray:  # WebP has no gray mode
        color, gray = np.repeat(color[..., None], 3, axis=2), False
    if alpha is not None:
        stacked = np.dstack([color, alpha])
        image = Image.fromarray(stacked, "LA" if gray else "RGBA")
    else:
        image = Image.fromarray(color, "L" if gray else "RGB")
    options: dict = {}
    if icc:
        options["icc_profile"] = icc
    if exif:
        options["exif"] = exif
    if fmt == "JPEG":
        options["quality"] = quality
        options["subsampling"] = 0 if quality >= 90 else 2  # 4:4:4 at high quality
    elif fmt == "WEBP":
        options["quality"] = quality
    elif fmt == "TIFF":
        options["compression"] = "tiff_deflate"
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _opencv_encode(
    color: np.ndarray,
    alpha: np.ndarray | None,
    fmt: str,
    *,
    icc: bytes | None,
    exif: bytes | None,
) -> bytes:
    import cv2

    if alpha is not None:
        rgb = color if color.ndim == 3 else np.repeat(color[..., None], 3, axis=2)
        array = np.dstack([rgb[..., ::-1], alpha])
    else:
        array = color[..., ::-1] if color.ndim == 3 else color
    array = np.ascontiguousarray(array)
    suffix = ".png" if fmt == "PNG" else ".tiff"
    params = [cv2.IMWRITE_PNG_COMPRESSION, 6] if fmt == "PNG" else []
    ok, encoded = cv2.imencode(suffix, array, params)
    if not ok:
        raise ImageWriteError(f"OpenCV could not encode a {array.dtype} {fmt} image")
    data = encoded.tobytes()
    if fmt == "PNG":
        return insert_png_chunks(data, icc_profile=icc, exif=exif)
    if icc or exif:
        warnings.warn("16/32-bit TIFF is written without ICC profile and EXIF", stacklevel=3)
    return data


def encode(
    color: np.ndarray,
    alpha: np.ndarray | None,
    fmt: str,
    *,
    icc: bytes | None = None,
    exif: bytes | None = None,
    quality: int = 95,
) -> bytes:
    """Encode quantized arrays as ``fmt`` ("PNG", "JPEG", "TIFF", "WEBP") bytes."""
    if alpha is not None and fmt not in ALPHA_FORMATS:
        warnings.warn(f"{fmt} has no alpha channel: alpha dropped", stacklevel=3)
        alpha = None
    icc = compatible_icc(icc, gray=color.ndim == 2 and fmt != "WEBP")
    if color.dtype == np.uint8:
        return _pil_encode(color, alpha, fmt, icc=icc, exif=exif, quality=quality)
    if fmt not in ("PNG", "TIFF") or (color.dtype == np.float32 and fmt != "TIFF"):
        raise ImageWriteError(f"{fmt} cannot store {color.dtype} samples")
    return _opencv_encode(color, alpha, fmt, icc=icc, exif=exif)

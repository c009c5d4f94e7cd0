"""Open an image source (path or bytes) with Pillow, safely: header first, size limit, clear errors.

Pillow's ``Image.open`` only reads the header, so the pixel limit is checked before any pixel
is decoded. Only the formats in `ALLOWED_FORMATS` are tried (no EPS/PDF, which would run
external programs).
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from restora.core.errors import ImageReadError, ImageTooLargeError
from restora.io.png_chunks import png_header

ALLOWED_FORMATS = (
    "PNG", "JPEG", "TIFF", "WEBP", "BMP", "DIB", "GIF", "PPM", "TGA", "JPEG2000",
    "ICO", "PCX", "SGI", "AVIF", "QOI",
)  # fmt: skip
"""Pillow formats `read_image` accepts (JPEG covers multi-picture MPO files)."""


def describe(src: object) -> str:
    """The name used for ``src`` in metadata and messages: the path, or "<bytes>" etc."""
    if isinstance(src, (str, os.PathLike)):
        return os.fspath(src)
    if isinstance(src, (bytes, bytearray, memoryview)):
        return "<bytes>"
    if isinstance(src, Image.Image):
        return "<PIL>"
    return "<array>"


def check_pixels(width: int, height: int, name: str, max_pixels: int) -> None:
    """Raise `ImageTooLargeError` when ``width * height`` exceeds ``max_pixels``."""
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"'{name}': {width}x{height} = {width * height:,} pixels exceeds the limit of "
            f"{max_pixels:,} pixels (max_pixels)"
        )


def read_source_bytes(src: str | os.PathLike | bytes | bytearray | memoryview) -> bytes:
    """All bytes of a path or buffer, with `ImageReadError` for missing, unreadable or empty files."""
    name = describe(src)
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
    else:
        path = Path(src)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImageReadError(f"'{name}': no such file") from None
        except IsADirectoryError:
            raise ImageReadError(f"'{name}': is a directory, not an image file") from None
        except OSError as exc:
            raise ImageReadError(f"'{name}': cannot read file ({exc.strerror or exc})") from None
    if not data:
        raise ImageReadError(f"'{name}': empty file (0 bytes), not an image")
    return data


def open_pil(data: bytes | BinaryIO, name: str, max_pixels: int) -> Image.Image:
    """Identify ``data`` (bytes, or a binary file open at its start) with Pillow (header only)
    and check its size; nothing is decoded yet.

    Raises `ImageReadError` for unknown formats and `ImageTooLargeError` for images over
    ``max_pixels`` (Pillow's own decompression-bomb limit is converted to the same error).
    """
    if isinstance(data, bytes):
        stream: BinaryIO = io.BytesIO(data)
        head = data[:64]
    else:
        stream, head = data, data.read(64)
        data.seek(0)
    header = png_header(head)
    if header is not None:  # the classic bomb: check a PNG's IHDR before Pillow sees it
        check_pixels(header[0], header[1], name, max_pixels)
    try:
        with warnings.catch_warnings():
            # restora applies its own limit (max_pixels) right below; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"'{name}': too large to decode safely ({exc})") from None
    except UnidentifiedImageError:
        raise ImageReadError(
            f"'{name}': not a recognised image (unknown format, or not an image file)"
        ) from None
    except Exception as exc:  # a broken header can raise nearly anything inside a plugin
        raise ImageReadError(f"'{name}': cannot read image header ({exc})") from None
    check_pixels(image.width, image.height, name, max_pixels)
    return image

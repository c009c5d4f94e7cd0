"""`read_image` / `probe_image`: any image source -> (1, 3, H, W) float32 RGB + alpha + `ImageMeta`.

Reading rules: the header is checked against ``max_pixels`` before any pixel is decoded;
empty, truncated, mislabelled or unknown files raise `ImageReadError` naming the file (Pillow's
``LOAD_TRUNCATED_IMAGES`` is left False, so truncated data fails); 16-bit PNG/TIFF go through
OpenCV so their values survive exactly; EXIF orientation is applied and recorded.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageOps

from restora.core.errors import ImageReadError
from restora.io.array_source import array_pixels
from restora.io.arrays import numpy_to_tensor
from restora.io.cv_decode import needs_opencv, opencv_pixels
from restora.io.meta import DEFAULT_MAX_PIXELS, ImageMeta, LoadedImage
from restora.io.orientation import apply_orientation, exif_orientation, exif_without_orientation
from restora.io.pil_decode import Pixels, pil_pixels
from restora.io.png_chunks import png_header
from restora.io.sources import check_pixels, describe, open_pil, read_source_bytes
from restora.io.tone import detect_tone

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray


def _exif_of(image: Image.Image, notes: list[str]) -> tuple[int, bytes | None]:
    """(orientation, EXIF bytes with orientation reset to 1) of a Pillow image."""
    try:
        exif = image.getexif()
        orientation = exif_orientation(exif)
        fresh = Image.Exif()
        if len(exif):
            fresh.load(exif.tobytes())
        return orientation, exif_without_orientation(fresh)
    except Exception:  # broken EXIF must not make a good image unreadable
        notes.append("EXIF block unreadable, ignored")
        return 1, None


def _icc_of(image: Image.Image, notes: list[str]) -> bytes | None:
    icc = image.info.get("icc_profile") or None
    if icc is not None and image.mode == "CMYK":
        notes.append("CMYK colour profile dropped (the pixels are now RGB)")
        return None
    return icc


def _from_pil(image: Image.Image, name: str, data: bytes | None) -> LoadedImage:
    notes: list[str] = []
    fmt, mode = image.format, image.mode
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(f"first of {frames} frames used")
    use_opencv = data is not None and needs_opencv(image, data)
    try:
        if not use_opencv:
            image.load()
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, zlib.error, ...
        raise ImageReadError(f"'{name}': cannot decode {fmt or 'image'} data ({exc})") from None
    icc = _icc_of(image, notes)
    orientation, exif = _exif_of(image, notes)

    if use_opencv:
        assert data is not None
        pixels = opencv_pixels(data, name, image.size)
        pixels.color = apply_orientation(pixels.color, orientation)
        if pixels.alpha is not None:
            pixels.alpha = apply_orientation(pixels.alpha, orientation)
        header = png_header(data)
        if header is not None and header[3] == 4:
            mode = "LA"  # Pillow reports 16-bit gray+alpha PNG as RGBA
    else:
        try:
            shown = ImageOps.exif_transpose(image) if orientation != 1 else image
            pixels = pil_pixels(shown)
        except ImageReadError as exc:
            raise ImageReadError(f"'{name}': {exc}") from None
        except Exception as exc:
            raise ImageReadError(f"'{name}': cannot convert {mode} pixels ({exc})") from None
    if orientation != 1:
        notes.append(f"EXIF orientation {orientation} applied")
    loaded = _finish(pixels, name, fmt, mode, icc, exif, orientation, notes)
    loaded.meta.frames = int(frames)
    return loaded


def _finish(
    pixels: Pixels,
    name: str,
    fmt: str | None,
    mode: str,
    icc: bytes | None,
    exif: bytes | None,
    orientation: int,
    notes: list[str],
) -> LoadedImage:
    image = numpy_to_tensor(pixels.color)
    if image.shape[1] == 1:
        image = image.repeat(1, 3, 1, 1)
    alpha = None if pixels.alpha is None else numpy_to_tensor(pixels.alpha)
    height, width = image.shape[-2:]
    meta = ImageMeta(
        source=name,
        format=fmt,
        mode=mode,
        bit_depth=pixels.bit_depth,
        width=int(width),
        height=int(height),
        has_alpha=alpha is not None,
        icc_profile=icc,
        exif=exif,
        orientation=orientation,
        tone=detect_tone(image),
        notes=[*pixels.notes, *notes],
    )
    return LoadedImage(image=image, alpha=alpha, meta=meta)


def read_image(src: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode an image into the tensor contract.

    ``src``: a path (str / PathLike, any Unicode name), encoded bytes, a ``PIL.Image.Image``
    (used as is, EXIF orientation applied) or a numpy array (H, W[, C]) RGB(A) uint8 / uint16 /
    float in [0, 1]. Returns `LoadedImage` with ``image`` (1, 3, H, W) float32 in [0, 1]
    (gray replicated to 3 channels), ``alpha`` (1, 1, H, W) float32 or None, and ``meta``.

    Raises `ImageTooLargeError` (width * height > ``max_pixels``, checked from the header
    before decoding) and `ImageReadError` (missing / empty / truncated / unknown data).

    >>> loaded = read_image(np.zeros((4, 6, 3), np.uint8))
    >>> tuple(loaded.image.shape), loaded.meta.tone
    ((1, 3, 4, 6), 'monochrome')
    """
    name = describe(src)
    if isinstance(src, np.ndarray):
        pixels, mode = array_pixels(src)
        height, width = pixels.color.shape[:2]
        check_pixels(width, height, name, max_pixels)
        return _finish(pixels, name, None, mode, None, None, 1, [])
    if isinstance(src, Image.Image):
        check_pixels(src.width, src.height, name, max_pixels)
        return _from_pil(src, name, None)
    if isinstance(src, (str, os.PathLike, bytes, bytearray, memoryview)):
        data = read_source_bytes(src)
        with open_pil(data, name, max_pixels) as image:
            return _from_pil(image, name, data)
    raise TypeError(f"read_image: unsupported source type {type(src).__name__}")


def read_size(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """``(width, height)`` of an image file in display orientation (EXIF applied), from its
    header: no pixel is decoded. Raises like `read_image` (missing, unknown, too large).

    Used to check a whole batch (output sizes, masks, hints) before any image is processed.
    """
    name = describe(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, Pillow reads it lazily
    except FileNotFoundError:
        raise ImageReadError(f"'{name}': no such file") from None
    except OSError as exc:
        raise ImageReadError(f"'{name}': cannot read file ({exc.strerror or exc})") from None
    with handle, open_pil(handle, name, max_pixels) as image:
        width, height = image.size
        try:
            orientation = exif_orientation(image.getexif())
        except Exception:  # broken EXIF: read_image ignores it too
            orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def probe_image(src: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageMeta:
    """`ImageMeta` of ``src`` (size after orientation, mode, depth, profile, tone, notes).

    Decodes the pixels (the tone needs them); raises like `read_image`.
    """
    return read_image(src, max_pixels=max_pixels).meta

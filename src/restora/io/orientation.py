"""EXIF orientation: read the tag, apply it to arrays, reset it in the EXIF block."""

from __future__ import annotations

import numpy as np
from PIL import Image

ORIENTATION_TAG = 0x0112
# TIFF layout tags that Pillow reports as "EXIF" for TIFF files; they describe that file's
# strips and samples, not the photo, and must not travel into another file.
_TIFF_LAYOUT_TAGS = frozenset(
    {254, 255, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 320, 322, 323, 324,
     325, 338, 339, 340, 341, 530, 531, 532, 34675}
)  # fmt: skip


def exif_orientation(exif: Image.Exif) -> int:
    """The Orientation tag (1..8) of ``exif``; 1 when absent or invalid."""
    try:
        value = int(exif.get(ORIENTATION_TAG, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def apply_orientation(array: np.ndarray, orientation: int) -> np.ndarray:
    """Turn an ``(H, W[, C])`` array stored with EXIF ``orientation`` into display orientation.

    Same result as ``PIL.ImageOps.exif_transpose`` (used where OpenCV decoded the pixels):
    2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
    8 rotate 90 counter-clockwise.
    """
    if orientation == 2:
        out = array[:, ::-1]
    elif orientation == 3:
        out = array[::-1, ::-1]
    elif orientation == 4:
        out = array[::-1]
    elif orientation == 5:
        out = array.swapaxes(0, 1)
    elif orientation == 6:
        out = np.rot90(array, k=-1)
    elif orientation == 7:
        out = array[::-1, ::-1].swapaxes(0, 1)
    elif orientation == 8:
        out = np.rot90(array, k=1)
    else:
        out = array
    return np.ascontiguousarray(out)


def exif_without_orientation(exif: Image.Exif) -> bytes | None:
    """Raw EXIF bytes (``b"Exif\\0\\0..."``) with Orientation set to 1 and TIFF layout tags
    removed; None when nothing is left. Modifies ``exif``."""
    for tag in _TIFF_LAYOUT_TAGS & set(exif):
        del exif[tag]
    if not len(exif):
        return None
    if ORIENTATION_TAG in exif:
        exif[ORIENTATION_TAG] = 1
    data = exif.tobytes()
    return data or None

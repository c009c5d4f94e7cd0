"""restora.io: files, bytes, PIL images and numpy arrays <-> tensors.

The only layer where uint8, HWC, BGR and PIL appear. OpenCV is imported inside the functions
that need it.
"""

from restora.io.atomic import (
    atomic_write_bytes,
    atomic_write_text,
    check_output_path,
    is_temp_name,
    temp_path_for,
)
from restora.io.hints import HintsError, parse_hint_list, read_hints
from restora.io.masks import MaskSizeError, encode_mask, read_mask, write_mask
from restora.io.meta import DEFAULT_MAX_PIXELS, ImageMeta, LoadedImage
from restora.io.read import probe_image, read_image, read_size
from restora.io.thumbnail import read_thumbnail
from restora.io.tone import detect_tone
from restora.io.write import encode_image, write_image

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "HintsError",
    "ImageMeta",
    "LoadedImage",
    "MaskSizeError",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_path",
    "detect_tone",
    "encode_image",
    "encode_mask",
    "is_temp_name",
    "parse_hint_list",
    "probe_image",
    "read_hints",
    "read_image",
    "read_mask",
    "read_size",
    "read_thumbnail",
    "temp_path_for",
    "write_image",
    "write_mask",
]

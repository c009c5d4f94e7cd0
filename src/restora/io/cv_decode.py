"""16-bit PNG / TIFF decoding with OpenCV (Pillow reduces 16-bit RGB to 8 bits).

OpenCV decodes from memory (``imdecode``), so non-ASCII file names never reach it; BGR is
turned into RGB here and never leaves this module.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from restora.core.errors import ImageReadError
from restora.io.pil_decode import Pixels
from restora.io.png_chunks import png_header


def needs_opencv(image: Image.Image, data: bytes) -> bool:
    """True for 16-bit-per-sample PNG and TIFF, which Pillow would not return exactly."""
    if image.format == "PNG":
        header = png_header(data)
        return header is not None and header[2] == 16
    if image.format == "TIFF":
        tags = getattr(image, "tag_v2", {})
        bits = tags.get(258, (8,))
        bits = bits if isinstance(bits, tuple) else (bits,)
        sample_format = tags.get(339, (1,))
        sample_format = sample_format if isinstance(sample_format, tuple) else (sample_format,)
        return max(bits) == 16 and max(sample_format) == 1
    return False


def opencv_pixels(data: bytes, name: str, size: tuple[int, int]) -> Pixels:
    """Decode 16-bit ``data`` (stored orientation) to RGB/gray uint16 + alpha."""
    import cv2

    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None:
        raise ImageReadError(f"'{name}': cannot decode image data (truncated or corrupt file)")
    if array.shape[1::-1] != size:
        raise ImageReadError(
            f"'{name}': decoded size {array.shape[1]}x{array.shape[0]} differs from the header "
            f"size {size[0]}x{size[1]}"
        )
    if array.dtype == np.uint8:
        bit_depth = 8
    elif array.dtype == np.uint16:
        bit_depth = 16
    else:
        raise ImageReadError(f"'{name}': unsupported sample type {array.dtype}")
    if array.ndim == 2:
        return Pixels(array, None, bit_depth)
    if array.shape[2] == 1:
        return Pixels(array[..., 0], None, bit_depth)
    if array.shape[2] == 3:
        return Pixels(np.ascontiguousarray(array[..., ::-1]), None, bit_depth)
    if array.shape[2] == 4:
        rgb = np.ascontiguousarray(array[..., 2::-1])
        return Pixels(rgb, np.ascontiguousarray(array[..., 3]), bit_depth)
    raise ImageReadError(f"'{name}': unsupported channel count {array.shape[2]}")

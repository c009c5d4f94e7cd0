"""Numpy arrays handed to `read_image`: (H, W) or (H, W, C) uint8 / uint16 / bool / float."""

from __future__ import annotations

import numpy as np

from restora.core.errors import ImageReadError
from restora.io.pil_decode import Pixels

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def array_pixels(array: np.ndarray) -> tuple[Pixels, str]:
    """Split an HWC RGB(A) / HW gray array into `Pixels` and a PIL-style mode name.

    uint8 -> 8 bit, uint16 -> 16 bit, bool -> 8 bit {0, 255}, floats must lie in [0, 1]
    (bit depth 32). Channels-first arrays are refused with a hint.
    """
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in _MODES:
        raise ImageReadError(
            f"'<array>': expected (H, W) or (H, W, C) with C in 1..4 (HWC, RGB), got {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageReadError(f"'<array>': empty array of shape {array.shape}")
    if array.dtype == np.bool_:
        array, bit_depth = array.astype(np.uint8) * 255, 8
    elif array.dtype == np.uint8:
        bit_depth = 8
    elif array.dtype == np.uint16:
        bit_depth = 16
    elif np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float32)
        if not np.isfinite(array).all():
            raise ImageReadError("'<array>': float array contains NaN or infinity")
        low, high = float(array.min()), float(array.max())
        if low < -1e-4 or high > 1 + 1e-4:
            raise ImageReadError(
                f"'<array>': float values must be in [0, 1], got [{low:.4g}, {high:.4g}]"
            )
        array, bit_depth = np.clip(array, 0.0, 1.0), 32
    else:
        raise ImageReadError(
            f"'<array>': unsupported dtype {array.dtype} (use uint8, uint16 or float)"
        )
    channels = array.shape[2]
    mode = _MODES[channels]
    if bit_depth == 16 and channels == 1:
        mode = "I;16"
    elif bit_depth == 32 and channels == 1:
        mode = "F"
    color = array[..., 0] if channels <= 2 else array[..., :3]
    alpha = array[..., channels - 1] if channels in (2, 4) else None
    return Pixels(np.ascontiguousarray(color), alpha, bit_depth), mode

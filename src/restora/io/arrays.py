"""Conversions between the tensor contract and numpy arrays (uint8/uint16, HWC, RGB).

This is the one place other layers go through when a classical library (OpenCV) needs
HWC arrays; BGR never leaves the function that calls OpenCV.
"""

from __future__ import annotations

import numpy as np
import torch


def tensor_to_numpy(image: torch.Tensor, dtype: type = np.uint8) -> np.ndarray:
    """Convert one image ``(1, C, H, W)`` or ``(C, H, W)`` float in [0, 1] to ``(H, W, C)``.

    ``dtype`` is ``np.uint8`` (0..255), ``np.uint16`` (0..65535) or ``np.float32`` (0..1).
    Values are clamped and rounded to nearest.

    >>> tensor_to_numpy(torch.ones(1, 3, 2, 2)).shape
    (2, 2, 3)
    """
    if image.ndim == 4:
        if image.shape[0] != 1:
            raise ValueError(f"expected one image (1, C, H, W), got batch of {image.shape[0]}")
        image = image[0]
    if image.ndim != 3:
        raise ValueError(f"expected (C, H, W) or (1, C, H, W), got {tuple(image.shape)}")
    hwc = image.detach().to("cpu", torch.float32).clamp(0, 1).permute(1, 2, 0).numpy()
    if dtype == np.float32:
        return np.ascontiguousarray(hwc)
    peak = {np.uint8: 255.0, np.uint16: 65535.0}.get(dtype)
    if peak is None:
        raise ValueError(f"unsupported dtype {dtype}")
    return np.ascontiguousarray(np.rint(hwc * peak).astype(dtype))


def numpy_to_tensor(array: np.ndarray) -> torch.Tensor:
    """Convert ``(H, W)`` or ``(H, W, C)`` uint8/uint16/bool/float array to ``(1, C, H, W)`` float32.

    Integer arrays are scaled by their type's maximum; floats are assumed to be in [0, 1].
    """
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"expected (H, W) or (H, W, C) array, got {array.shape}")
    if array.dtype == np.bool_:
        data = array.astype(np.float32)
    elif np.issubdtype(array.dtype, np.integer):
        data = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    else:
        data = array.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(data.transpose(2, 0, 1))).unsqueeze(0)


def mask_to_numpy(mask: torch.Tensor) -> np.ndarray:
    """Convert a mask ``(1, 1, H, W)`` or ``(1, H, W)`` (1 = hole) to ``(H, W)`` uint8 {0, 255}."""
    if mask.ndim == 4:
        mask = mask[0]
    if mask.ndim != 3 or mask.shape[0] != 1:
        raise ValueError(f"expected mask (1, 1, H, W) or (1, H, W), got {tuple(mask.shape)}")
    return np.where(mask[0].detach().cpu().numpy() > 0.5, 255, 0).astype(np.uint8)

"""Damage masks on disk: `read_mask` (any image -> (1, 1, H, W) {0, 1}) and `write_mask` (PNG)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

import torch
from PIL import Image

from restora.core.errors import ConfigError, ImageWriteError, RestoraError
from restora.io.arrays import mask_to_numpy
from restora.io.atomic import atomic_write_bytes, check_output_path
from restora.io.meta import DEFAULT_MAX_PIXELS
from restora.io.read import ImageSource, read_image
from restora.io.sources import describe

_LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601


class MaskSizeError(RestoraError, ValueError):
    """A mask does not have the size of the image it belongs to."""


def read_mask(
    src: ImageSource,
    *,
    size: tuple[int, int] | None = None,
    hole_value: str = "white",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> torch.Tensor:
    """Read a mask as (1, 1, H, W) float32 in {0, 1}, 1 = hole.

    ``hole_value`` "white" (restora, NVIDIA masks: bright = hole) or "black" (DIP masks: white =
    known pixel). Colour masks use BT.601 luminance, thresholded at 0.5; transparent pixels of
    masks with alpha count as known. ``size`` = (H, W) of the image: a different mask size
    raises `MaskSizeError` ("mask is 300x200 but image is 640x480", width x height).

    >>> import numpy as np
    >>> read_mask(np.array([[0, 255]], np.uint8)).flatten().tolist()
    [0.0, 1.0]
    """
    if hole_value not in ("white", "black"):
        raise ConfigError(f"hole_value must be 'white' or 'black', got {hole_value!r}")
    loaded = read_image(src, max_pixels=max_pixels)
    height, width = loaded.image.shape[-2:]
    if size is not None and (height, width) != (int(size[0]), int(size[1])):
        raise MaskSizeError(
            f"'{describe(src)}': mask is {width}x{height} but image is {size[1]}x{size[0]}"
        )
    weights = torch.tensor(_LUMA, dtype=torch.float32).view(1, 3, 1, 1)
    luminance = (loaded.image * weights).sum(1, keepdim=True)
    if loaded.alpha is not None:
        known = 0.0 if hole_value == "white" else 1.0
        luminance = luminance * loaded.alpha + known * (1.0 - loaded.alpha)
    hole = luminance > 0.5 if hole_value == "white" else luminance < 0.5
    return hole.to(torch.float32)


def write_mask(
    path: str | os.PathLike,
    mask: torch.Tensor,
    *,
    overwrite: bool = False,
    protected: Iterable[str | os.PathLike] = (),
) -> Path:
    """Write a mask (1, 1, H, W), (1, H, W) or (H, W) (values > 0.5 = hole) as an 8-bit PNG
    with 255 = hole, 0 = known. Safety and atomicity as in `write_image`."""
    protected = tuple(protected)
    if Path(path).suffix.lower() != ".png":
        raise ImageWriteError(f"cannot write mask '{path}': masks are written as .png")
    target = check_output_path(path, overwrite=overwrite, protected=protected)
    data = encode_mask(mask)
    return atomic_write_bytes(target, data, overwrite=overwrite, protected=protected)


def encode_mask(mask: torch.Tensor) -> bytes:
    """The PNG bytes `write_mask` writes for ``mask`` (255 = hole); nothing is written."""
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.ndim == 2:
        mask = mask[None]
    buffer = io.BytesIO()
    Image.fromarray(mask_to_numpy(mask.float()), "L").save(buffer, format="PNG")
    return buffer.getvalue()

"""The Python API: ``restora.restore(image, **spec)``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from restora.core.checks import check_image, check_mask
from restora.io import read_image, read_mask
from restora.pipeline.context import ProgressFn
from restora.pipeline.files import check_image_size
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec


def _check_finite(tensor: torch.Tensor, name: str) -> None:
    """NaN / inf would pass the range check (comparisons with NaN are false) and spread."""
    bad = int((~torch.isfinite(tensor)).sum()) if tensor.is_floating_point() else 0
    if bad:
        raise ValueError(f"{name} contains NaN or infinity ({bad} value{'s' if bad > 1 else ''})")


def _as_restoration(image: Any, max_pixels: int) -> Restoration:
    if isinstance(image, torch.Tensor):
        tensor = image.unsqueeze(0) if image.ndim == 3 else image
        _check_finite(tensor, "image")
        check_image(tensor, "image")
        if tensor.shape[0] != 1:
            raise ValueError(f"restore() takes one image, got a batch of {tensor.shape[0]}")
        check_image_size(*tensor.shape[-2:], name="image")
        return Restoration.start(tensor.float())
    loaded = read_image(image, max_pixels=max_pixels)
    check_image_size(*loaded.image.shape[-2:], name=f"'{loaded.meta.source}'")
    return Restoration.start(loaded.image, alpha=loaded.alpha, meta=loaded.meta)


def _as_mask(mask: Any, size: tuple[int, int]) -> torch.Tensor:
    if isinstance(mask, torch.Tensor):
        tensor = mask.float()
        while tensor.ndim < 4:
            tensor = tensor.unsqueeze(0)
        _check_finite(tensor, "mask")
        check_mask(tensor)
        if tuple(tensor.shape[-2:]) != size:
            raise ValueError(
                f"mask is {tensor.shape[-1]}x{tensor.shape[-2]} but image is {size[1]}x{size[0]}"
            )
        return (tensor > 0.5).float()
    if isinstance(mask, np.ndarray) and mask.ndim == 2:
        return _as_mask(
            torch.from_numpy(mask.astype(np.float32) / max(1.0, float(mask.max()))), size
        )
    return read_mask(mask, size=size)


def restore(
    image: str | os.PathLike | bytes | np.ndarray | torch.Tensor | Any,
    *,
    mask: Any = None,
    spec: PipelineSpec | None = None,
    progress: ProgressFn | None = None,
    **options: Any,
) -> Restoration:
    """Restore one photo and return the :class:`Restoration` (``.image`` is ``(1, 3, H', W')``).

    Args:
        image: a path, encoded bytes, PIL image, HWC array, or a ``(1, 3, H, W)`` / ``(3, H, W)``
            float tensor in [0, 1] (NaN / inf refused, as in arrays); at least 2 pixels a side.
        mask: optional damage mask (path, array or ``(1, 1, H, W)`` tensor, 1 / white = damage);
            when given, detection is skipped and this mask is filled.
        spec: a full :class:`PipelineSpec`; or give ``options`` such as ``scale=2``,
            ``inpaint_method="ns"``, ``stages=["inpaint"]``.

    >>> import restora
    >>> out = restora.restore(torch.rand(1, 3, 32, 32), stages=["analyze"])
    >>> out.image.shape
    torch.Size([1, 3, 32, 32])
    """
    if spec is not None and options:
        raise ValueError("give either spec= or keyword options, not both")
    spec = spec or PipelineSpec.from_kwargs(**options)
    restoration = _as_restoration(image, spec.max_pixels)
    if mask is not None:
        restoration.mask = _as_mask(mask, tuple(restoration.image.shape[-2:]))
        restoration.mask_source = "user"
    return Pipeline(spec, progress=progress).run(restoration)

"""The Python API: ``restora.restore(image, **spec)``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from restora.core.checks import check_image, check_mask
from restora.io import read_image, read_mask
from restora.pipeline.context import ProgressFn
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec


def _as_restoration(image: Any, max_pixels: int) -> Restoration:
    if isinstance(image, torch.Tensor):
        tensor = image.unsqueeze(0) if image.ndim == 3 else image
        check_image(tensor, "image")
        if tensor.shape[0] != 1:
            raise ValueError(f"restore() takes one image, got a batch of {tensor.shape[0]}")
        return Restoration.start(tensor.float())
    loaded = read_image(image, max_pixels=max_pixels)
    return Restoration.start(loaded.image, alpha=loaded.alpha, meta=loaded.meta)


def _as_mask(mask: Any, size: tuple[int, int]) -> torch.Tensor:
    if isinstance(mask, torch.Tensor):
        tensor = mask.float()
        while tensor.ndim < 4:
            tensor = tensor.unsqueeze(0)
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
            float tensor in [0, 1].
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

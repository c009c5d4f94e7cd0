"""The before/after report: a side-by-side panel and a JSON record of what each stage did."""

from __future__ import annotations

import platform
from typing import Any

import torch
import torch.nn.functional as F

import restora
from restora.core.memory import peak_rss_bytes
from restora.pipeline.restoration import Restoration
from restora.pipeline.spec import PipelineSpec

_GAP = 8


def overlay_mask(
    image: torch.Tensor,
    mask: torch.Tensor,
    *,
    color: tuple[float, float, float] = (1.0, 0.1, 0.1),
    opacity: float = 0.65,
) -> torch.Tensor:
    """Tint the ``(1, 1, H, W)`` mask's holes over a ``(1, 3, H, W)`` image (both in [0, 1])."""
    tint = torch.tensor(color, dtype=image.dtype).view(1, 3, 1, 1)
    alpha = (mask > 0.5).to(image.dtype) * opacity
    return image * (1 - alpha) + tint * alpha


def _fit_height(image: torch.Tensor, height: int) -> torch.Tensor:
    h, w = image.shape[-2:]
    if h == height:
        return image
    width = max(1, round(w * height / h))
    mode = "area" if h > height else "bilinear"
    kwargs = {} if mode == "area" else {"align_corners": False}
    return F.interpolate(image, size=(height, width), mode=mode, **kwargs).clamp(0, 1)


def _fit_mask(mask: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize a mask for display; shrinking keeps every damaged pixel visible (max pooling)."""
    if mask.shape[-2] > size[0]:
        return F.adaptive_max_pool2d(mask, size)
    return F.interpolate(mask, size=size, mode="nearest")


def report_panel(restoration: Restoration, *, height: int = 512) -> torch.Tensor:
    """``(1, 3, height, W)`` panel: input | input with damage overlay | output, white gaps.

    Everything is shrunk to the panel height first, so a 24-megapixel scan costs little.
    """
    source = restoration.input_image
    height = min(height, source.shape[-2] * 4, 2048)
    small = _fit_height(source, height)
    panels = [small]
    if restoration.mask is not None:
        panels.append(overlay_mask(small, _fit_mask(restoration.mask, small.shape[-2:])))
    panels.append(_fit_height(restoration.image, height))
    gap = torch.ones(1, 3, height, _GAP)
    parts: list[torch.Tensor] = []
    for i, panel in enumerate(panels):
        if i:
            parts.append(gap)
        parts.append(panel)
    return torch.cat(parts, dim=-1)


def versions() -> dict[str, str]:
    import cv2
    import numpy

    return {
        "restora": restora.__version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "opencv": cv2.__version__,
        "platform": platform.platform(),
    }


def report_dict(
    restoration: Restoration,
    spec: PipelineSpec,
    *,
    source: str | None = None,
    outputs: dict[str, str] | None = None,
) -> dict[str, Any]:
    """JSON-safe record: spec, per-stage timings and notes, mask coverage, peak memory, versions."""
    h, w = restoration.input_image.shape[-2:]
    oh, ow = restoration.image.shape[-2:]
    return {
        "source": source,
        "input_size": [w, h],
        "output_size": [ow, oh],
        "meta": restoration.meta.to_dict() if restoration.meta is not None else None,
        "analysis": restoration.analysis.to_dict(),
        "mask_source": restoration.mask_source,
        "mask_coverage": round(restoration.mask_coverage, 6),
        "stages": [r.to_dict() for r in restoration.records],
        "total_seconds": round(sum(r.seconds for r in restoration.records), 4),
        "peak_rss_mb": round(peak_rss_bytes() / 2**20, 1),
        "spec": spec.to_dict(),
        "outputs": outputs or {},
        "versions": versions(),
    }

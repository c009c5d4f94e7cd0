"""The before/after report: a side-by-side panel and a JSON record of what each stage did."""

from __future__ import annotations

import platform
from typing import Any

import torch
import torch.nn.functional as F

import restora
from restora.core.errors import RestoraError
from restora.core.memory import peak_rss_bytes
from restora.models.face.embed import load_embedder
from restora.models.face.identity import drifted, identity_distance
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


def _outlines(
    boxes: list[tuple[float, float, float, float]], size: tuple[int, int], shape: tuple[int, int]
) -> torch.Tensor | None:
    """One-pixel outlines ``(1, 1, *shape)`` of ``boxes`` ``(y0, y1, x0, x1)`` given in an image
    of ``size`` (H, W), scaled to the panel's ``shape``; None without boxes."""
    if not boxes:
        return None
    sy, sx = shape[0] / size[0], shape[1] / size[1]
    out = torch.zeros(1, 1, *shape)
    for y0, y1, x0, x1 in boxes:
        t, b = max(0, int(y0 * sy)), min(shape[0], max(int(y0 * sy) + 2, int(round(y1 * sy))))
        lft, r = max(0, int(x0 * sx)), min(shape[1], max(int(x0 * sx) + 2, int(round(x1 * sx))))
        out[..., t:b, lft:r] = 1
        out[..., t + 1 : b - 1, lft + 1 : r - 1] = 0
    return out


def _left_alone(restoration: Restoration, shape: tuple[int, int]) -> torch.Tensor | None:
    """The outlines of the damage components left alone, at the panel's ``shape``."""
    boxes = [c.box for c in restoration.damage if not c.fill]
    return _outlines(boxes, restoration.input_image.shape[-2:], shape)


def _face_outlines(restoration: Restoration, shape: tuple[int, int]) -> torch.Tensor | None:
    """The boxes of the faces found (looked for now if no stage did)."""
    faces = restoration.analysis.faces or []
    boxes = [(y0, y1, x0, x1) for x0, y0, x1, y1 in (face.box for face in faces)]
    return _outlines(boxes, restoration.input_image.shape[-2:], shape)


def face_identity(restoration: Restoration) -> list[dict[str, Any]] | None:
    """Per face found in the input: how far the restoration moved its identity embedding
    (:func:`restora.models.face.identity.identity_distance`; dlib's ResNet when installed, else
    restora's embedding) and whether that is drift (more than half the embedder's same-person
    threshold). None when no face detector or embedder is available; ``[]`` without faces."""
    faces = restoration.analysis.faces
    if faces is None:
        return None
    if not faces:
        return []
    try:
        embedder = load_embedder("auto")
        distances = identity_distance(restoration.input_image, restoration.image, faces, embedder)
    except RestoraError:
        return None
    flags = drifted(distances, embedder)
    return [
        {
            **face.to_dict(),
            "identity_distance": round(float(d), 4),
            "drifted": bool(flag),
            "embedder": embedder.name,
            "drift_threshold": round(0.5 * embedder.threshold, 4),
        }
        for face, d, flag in zip(faces, distances, flags, strict=True)
    ]


def report_panel(restoration: Restoration, *, height: int = 512) -> torch.Tensor:
    """``(1, 3, height, W)`` panel: input | input with the damage repaired in red, damage
    left alone boxed in yellow, faces found boxed in green | output, white gaps.

    Everything is shrunk to the panel height first, so a 24-megapixel scan costs little.
    """
    source = restoration.input_image
    height = min(height, source.shape[-2] * 4, 2048)
    small = _fit_height(source, height)
    panels = [small]
    shape = tuple(small.shape[-2:])
    faces = _face_outlines(restoration, shape)
    if restoration.mask is not None or faces is not None:
        marked = small
        if restoration.mask is not None:
            marked = overlay_mask(small, _fit_mask(restoration.mask, shape))
        left = _left_alone(restoration, shape)
        if left is not None:
            marked = overlay_mask(marked, left, color=(1.0, 0.85, 0.0), opacity=1.0)
        if faces is not None:
            marked = overlay_mask(marked, faces, color=(0.1, 0.9, 0.2), opacity=1.0)
        panels.append(marked)
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


def damage_summary(restoration: Restoration, *, listed: int = 200) -> dict[str, Any] | None:
    """The damage components found and their decisions: counts by shape and decision, every
    component left alone (with the reason) and the largest repaired ones (up to ``listed``)."""
    parts = restoration.damage
    if not parts:
        return None
    repaired = sorted((c for c in parts if c.fill), key=lambda c: -c.area)
    left = sorted((c for c in parts if not c.fill), key=lambda c: -c.area)
    counts: dict[str, dict[str, int]] = {"repaired": {}, "left_alone": {}}
    for c in parts:
        side = counts["repaired" if c.fill else "left_alone"]
        side[c.kind] = side.get(c.kind, 0) + 1
    return {
        "components": len(parts),
        "counts": counts,
        "left_alone": [c.to_dict() for c in left[:listed]],
        "repaired_largest": [c.to_dict() for c in repaired[:listed]],
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
        "damage": damage_summary(restoration),
        "faces": face_identity(restoration),
        "stages": [r.to_dict() for r in restoration.records],
        "total_seconds": round(sum(r.seconds for r in restoration.records), 4),
        "peak_rss_mb": round(peak_rss_bytes() / 2**20, 1),
        "spec": spec.to_dict(),
        "outputs": outputs or {},
        "versions": versions(),
    }

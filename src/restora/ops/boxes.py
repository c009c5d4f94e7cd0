"""Axis-aligned boxes: intersection over union and non-maximum suppression.

Boxes are ``(N, 4)`` float arrays ``(x0, y0, x1, y1)`` in pixels (numpy or torch); scores
``(N,)``. These are plain numpy routines (a detector has at most a few thousand boxes).

>>> import numpy as np
>>> b = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
>>> nms(b, np.array([0.9, 0.8, 0.7]), 0.5).tolist()
[0, 2]
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["box_iou", "nms"]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (N, 4) against every box in ``b`` (M, 4): an (N, M) array.

    Areas are ``(x1 - x0) * (y1 - y0)`` (continuous coordinates); empty boxes give IoU 0.
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(w, 0, None) * np.clip(h, 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def nms(
    boxes: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    *,
    mode: Literal["union", "min"] = "union",
    inclusive: bool = False,
) -> np.ndarray:
    """Greedy non-maximum suppression; returns the kept indices, best score first.

    A box is dropped when its overlap with a kept, better-scoring box is above ``threshold``.
    ``mode="union"`` measures overlap as IoU, ``"min"`` as intersection over the smaller box
    (MTCNN's last stage). ``inclusive=True`` counts pixels as MTCNN's reference code does
    (width ``x1 - x0 + 1``).
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    scores = np.asarray(scores, np.float64).reshape(-1)
    if len(boxes) != len(scores):
        raise ValueError(f"{len(boxes)} boxes but {len(scores)} scores")
    if mode not in ("union", "min"):
        raise ValueError(f"mode must be 'union' or 'min', got {mode!r}")
    extra = 1.0 if inclusive else 0.0
    x0, y0, x1, y1 = boxes.T
    area = (x1 - x0 + extra) * (y1 - y0 + extra)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = np.clip(np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + extra, 0, None)
        h = np.clip(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + extra, 0, None)
        inter = w * h
        if mode == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.asarray(keep, dtype=np.int64)

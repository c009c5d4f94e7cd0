"""MTCNN face detection, restora's implementation of Zhang et al. (2016).

Three stages over an image pyramid:

1. **P-Net** runs fully convolutionally on every pyramid level (scales ``12 / min_face * factor^k``
   while the shorter side is at least 12 px); each output cell above ``thresholds[0]`` proposes
   a 12x12 window, mapped back to the image and moved by the predicted regression; NMS within
   each level (IoU 0.5), then across levels (0.7); boxes are squared.
2. **R-Net** scores 24x24 crops of the proposals (``thresholds[1]``), NMS 0.7, regression, squared.
3. **O-Net** scores 48x48 crops (``thresholds[2]``) and predicts the box regression and five
   landmarks; a last NMS (0.7, intersection over the smaller box) keeps one box per face.

Box and crop conventions (inclusive pixel widths, 1-based crop corners, area resampling) follow
facenet-pytorch's port of the reference code, whose weights restora loads, so the same
settings give the same faces (``tests/models/test_mtcnn_reference.py`` checks this against a
separate, literal implementation).

restora's additions for old photographs: gray input; ``stretch`` (a 0.5 / 99.5 percentile
contrast stretch of the luminance before detection, for faded prints); ``max_side`` (detect on
a smaller copy of a very large scan: a face smaller than ``min_face`` at that size is not found).
:data:`PAPER` holds the paper's settings, :data:`OLD_PHOTOS` restora's defaults, chosen on
labelled old photos (``benchmarks/faces_detect.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from restora.core.checks import check_range, check_shape
from restora.models.face.face import Face
from restora.models.face.mtcnn_nets import ONet, PNet, RNet, mtcnn_input
from restora.models.face.mtcnn_weights import load_mtcnn_nets
from restora.ops.boxes import nms

__all__ = ["OLD_PHOTOS", "PAPER", "MTCNNSettings", "detect_faces", "pyramid_scales"]


@dataclass(frozen=True)
class MTCNNSettings:
    """Detector settings.

    - ``min_face``: smallest face side in pixels searched for (pyramid start ``12 / min_face``).
    - ``thresholds``: face-probability thresholds of P-Net, R-Net, O-Net.
    - ``factor``: scale step between pyramid levels (0.709 ≈ 1/√2: area halves).
    - ``stretch``: contrast-stretch the luminance (0.5 / 99.5 percentiles) before detecting.
    - ``max_side``: detect on a copy whose longer side is at most this (None: full size).
    """

    min_face: float = 20.0
    thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7)
    factor: float = 0.709
    stretch: bool = False
    max_side: int | None = None

    def __post_init__(self) -> None:
        if not self.min_face >= 12:
            raise ValueError(f"min_face must be >= 12 pixels (P-Net's window), got {self.min_face}")
        if len(self.thresholds) != 3 or not all(0 <= t <= 1 for t in self.thresholds):
            raise ValueError(f"thresholds must be three numbers in [0, 1], got {self.thresholds}")
        if not 0.1 <= self.factor <= 0.95:
            raise ValueError(f"factor must be in [0.1, 0.95], got {self.factor}")
        if self.max_side is not None and self.max_side < 48:
            raise ValueError(f"max_side must be None or >= 48, got {self.max_side}")
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))


PAPER = MTCNNSettings()
"""The paper's (and facenet-pytorch's) settings: 20 px, (0.6, 0.7, 0.7), factor 0.709."""

OLD_PHOTOS = MTCNNSettings(min_face=16.0, thresholds=(0.6, 0.7, 0.7), stretch=True, max_side=2000)
"""restora's defaults for scanned old photos: 16 px minimum face and a contrast stretch (best
average precision of six variants on the labelled old photos, ``benchmarks/results/
faces_detect.md``; chosen on the set it is scored on), the paper's thresholds (an O-Net
threshold of 0.9 bought 0.6 % precision for 7 % recall there), and detection on a copy of at
most 2000 px (a 24 MP scan in seconds; faces under about 48 px on a 6000 px scan are missed)."""


def pyramid_scales(height: int, width: int, min_face: float, factor: float) -> list[float]:
    """Pyramid scales: ``12 / min_face`` times powers of ``factor`` while the scaled shorter
    side is at least 12 px (P-Net's window)."""
    scale = 12.0 / min_face
    shorter = min(height, width) * scale
    scales = []
    while shorter >= 12:
        scales.append(scale)
        scale *= factor
        shorter *= factor
    return scales


def _stretched(image: torch.Tensor) -> torch.Tensor:
    luma = image.mean(dim=1).flatten()
    if luma.numel() > 1_000_000:  # percentiles of a strided sample are enough
        luma = luma[:: luma.numel() // 1_000_000 + 1]
    lo, hi = torch.quantile(luma, torch.tensor([0.005, 0.995], dtype=luma.dtype)).tolist()
    if hi - lo < 1e-3:
        return image
    return ((image - lo) / (hi - lo)).clamp(0, 1)


def _square(boxes: np.ndarray) -> np.ndarray:
    """Grow each (x0, y0, x1, y1) box to a square about its centre (the reference's rerec)."""
    out = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    """Move box edges by ``reg`` times the inclusive width / height (the reference's bbreg)."""
    w = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
    h = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
    return boxes[:, :4] + reg * np.concatenate([w, h, w, h], axis=1)


def _crops(image: torch.Tensor, boxes: np.ndarray, size: int) -> tuple[torch.Tensor, np.ndarray]:
    """Area-resampled ``size`` x ``size`` crops of ``image`` (1, 3, H, W) inside ``boxes``
    (truncated to integers, clipped to the image, 1-based as in the reference); returns the
    crops (N, 3, size, size) and the indices of the boxes that had pixels."""
    height, width = image.shape[-2:]
    ints = np.trunc(boxes[:, :4]).astype(np.int64)
    x0, y0 = np.maximum(ints[:, 0], 1), np.maximum(ints[:, 1], 1)
    x1, y1 = np.minimum(ints[:, 2], width), np.minimum(ints[:, 3], height)
    valid = np.flatnonzero((y1 > y0 - 1) & (x1 > x0 - 1))
    crops = [
        F.interpolate(
            image[:, :, y0[i] - 1 : y1[i], x0[i] - 1 : x1[i]], size=(size, size), mode="area"
        )
        for i in valid
    ]
    empty = image.new_zeros(0, 3, size, size)
    return (torch.cat(crops) if crops else empty), valid


def _batched(net: torch.nn.Module, x: torch.Tensor, chunk: int = 512) -> list[np.ndarray]:
    outs = [net(x[i : i + chunk]) for i in range(0, len(x), chunk)]
    return [torch.cat([o[k] for o in outs]).numpy().astype(np.float64) for k in range(len(outs[0]))]


def _proposals(image: torch.Tensor, pnet: PNet, settings: MTCNNSettings) -> np.ndarray:
    """Stage 1: (N, 9) rows of x0, y0, x1, y1, score, four regressions."""
    height, width = image.shape[-2:]
    found = []
    for scale in pyramid_scales(height, width, settings.min_face, settings.factor):
        size = (int(height * scale + 1), int(width * scale + 1))
        reg, prob = pnet(F.interpolate(image, size=size, mode="area"))
        ys, xs = np.nonzero(prob[0].numpy() >= settings.thresholds[0])
        if len(ys) == 0:
            continue
        cells = np.stack([xs, ys], axis=1).astype(np.float64)
        start = np.floor((2 * cells + 1) / scale)
        end = np.floor((2 * cells + 12) / scale)
        rows = np.concatenate(
            [start, end, prob[0].numpy()[ys, xs, None], reg[0].numpy()[:, ys, xs].T], axis=1
        )
        found.append(rows[nms(rows[:, :4], rows[:, 4], 0.5)])
    if not found:
        return np.zeros((0, 9))
    rows = np.concatenate(found)
    return rows[nms(rows[:, :4], rows[:, 4], 0.7)]


@torch.inference_mode()
def _detect(
    image: torch.Tensor, nets: tuple[PNet, RNet, ONet], settings: MTCNNSettings
) -> list[Face]:
    pnet, rnet, onet = nets
    rows = _proposals(image, pnet, settings)
    if len(rows) == 0:
        return []
    w, h = rows[:, 2] - rows[:, 0], rows[:, 3] - rows[:, 1]
    boxes = _square(rows[:, :4] + rows[:, 5:9] * np.stack([w, h, w, h], axis=1))

    crops, valid = _crops(image, boxes, 24)
    reg, score = _batched(rnet, crops)
    keep = score > settings.thresholds[1]
    boxes, score, reg = boxes[valid][keep], score[keep], reg[keep]
    pick = nms(boxes, score, 0.7)
    boxes = _square(_regress(boxes[pick], reg[pick]))
    if len(boxes) == 0:
        return []

    crops, valid = _crops(image, boxes, 48)
    reg, score, marks = _batched(onet, crops)
    keep = score > settings.thresholds[2]
    boxes, score, reg, marks = boxes[valid][keep], score[keep], reg[keep], marks[keep]
    bw = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
    bh = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
    points = np.stack(
        [bw * marks[:, :5] + boxes[:, :1] - 1, bh * marks[:, 5:] + boxes[:, 1:2] - 1], axis=2
    )
    boxes = _regress(boxes, reg)
    pick = nms(boxes, score, 0.7, mode="min", inclusive=True)
    return [
        Face(box=tuple(boxes[i]), score=float(score[i]), landmarks=tuple(map(tuple, points[i])))
        for i in pick
        if boxes[i, 2] >= boxes[i, 0] and boxes[i, 3] >= boxes[i, 1]
    ]


def detect_faces(
    image: torch.Tensor,
    *,
    settings: MTCNNSettings = OLD_PHOTOS,
    min_face: float | None = None,
    thresholds: tuple[float, float, float] | None = None,
    weights: str | None = None,
) -> list[Face]:
    """Find faces in one image with restora's MTCNN.

    Args:
        image: ``(1, 3, H, W)`` or ``(1, 1, H, W)`` (gray) float in [0, 1], RGB.
        settings: :data:`OLD_PHOTOS` (default) or :data:`PAPER`, or your own.
        min_face, thresholds: override the same fields of ``settings``.
        weights: folder of the reference ``pnet.pt`` / ``rnet.pt`` / ``onet.pt``
            (default: see :mod:`restora.models.face.mtcnn_weights`).

    Returns:
        Faces, best score first, in the input image's pixel coordinates, with landmarks.

    >>> faces = detect_faces(torch.zeros(1, 3, 64, 64))  # doctest: +SKIP
    """
    check_shape(image, ["B", "C", "H", "W"], "image")
    if image.shape[0] != 1 or image.shape[1] not in (1, 3):
        raise ValueError(f"expected one RGB or gray image (1, 3|1, H, W), got {tuple(image.shape)}")
    check_range(image, 0, 1, "image")
    if min_face is not None or thresholds is not None:
        settings = replace(
            settings,
            min_face=settings.min_face if min_face is None else min_face,
            thresholds=settings.thresholds if thresholds is None else tuple(thresholds),
        )
    nets = load_mtcnn_nets(weights)
    x = image.detach().to("cpu", torch.float32).expand(1, 3, *image.shape[-2:])
    if settings.stretch:
        x = _stretched(x)
    factor = 1.0
    longer = max(x.shape[-2:])
    if settings.max_side is not None and longer > settings.max_side:
        factor = settings.max_side / longer
        size = (max(1, round(x.shape[-2] * factor)), max(1, round(x.shape[-1] * factor)))
        x = F.interpolate(x, size=size, mode="area")
        factor = x.shape[-1] / image.shape[-1]
    faces = _detect(mtcnn_input(x), nets, settings)
    if factor != 1.0:
        faces = [f.scaled(1.0 / factor) for f in faces]
    return sorted(faces, key=lambda f: -f.score)

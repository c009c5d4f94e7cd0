"""Which flagged damage to repair: one decision per connected component of a damage mask.

Damage on a print is thin (scratches, cracks, folds), spotty (dust, foxing) or at the border
(tears); a large smooth blob is more often a face, a shadow or a dress that a detector misread.
Filling such a blob with an inpainting method replaces real picture with a guess, so it is only
worth doing on strong evidence. :func:`classify_components` labels every 8-connected component
of a mask by its shape — ``line`` (thin everywhere, however long or branched), ``spot`` (small),
``border`` (touching the frame) or ``blob`` — and decides whether to fill it from the shape and
the detector's mean probability over it. Inside face boxes it asks for more: blobs are never
filled and lines and spots need stronger evidence, so eyes, nostrils, lips and teeth stay. The
decisions are data (:class:`DamageComponent`), listed in the run report.

Sizes are in pixels for a photo with a ~512 px short side and grow with the square root of the
size above that (:func:`restora.data.aging.resolution_scale` does the same for the damage the
detector was trained on).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import cv2
import numpy as np
import torch

from restora.core.checks import check_shape

__all__ = [
    "ComponentRules",
    "DamageComponent",
    "DetectionRules",
    "classify_components",
    "edge_pixels",
    "hysteresis_mask",
    "mask_of",
    "refine_detection",
]

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), end-exclusive
Kind = Literal["line", "spot", "border", "blob"]


@dataclass(frozen=True)
class ComponentRules:
    """Thresholds of :func:`classify_components` (lengths in px at a 512 px short side).

    Attributes:
        line_width: a component whose thickness (twice the 90th percentile of the distance
            from its pixels to its edge) is at most this is a ``line``.
        spot_size: a component whose bounding box fits in this many px is a ``spot``.
        blob_evidence: mean probability a ``blob`` needs to be filled (outside faces).
        face_line_evidence: mean probability a ``line`` inside a face box needs.
        face_spot_evidence: mean probability a ``spot`` inside a face box needs.
        border_margin: a component within this many px of the frame is a ``border`` one.
    """

    line_width: float = 7.0
    spot_size: float = 14.0
    blob_evidence: float = 0.85
    face_line_evidence: float = 0.7
    face_spot_evidence: float = 0.85
    border_margin: float = 2.0


@dataclass(frozen=True)
class DamageComponent:
    """One connected component of a damage mask and what to do with it."""

    box: Box
    area: int
    thickness: float
    evidence: float
    kind: Kind
    in_face: bool
    fill: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["box"] = list(self.box)
        out["thickness"] = round(self.thickness, 2)
        out["evidence"] = round(self.evidence, 3)
        return out


def _scale(height: int, width: int) -> float:
    return max(1.0, math.sqrt(min(height, width) / 512.0))


def hysteresis_mask(probability: torch.Tensor, *, low: float, high: float) -> torch.Tensor:
    """Pixels above ``low`` that are 8-connected to a pixel above ``high``.

    Args:
        probability: float ``(1, 1, H, W)`` in [0, 1].
        low, high: thresholds with ``0 <= low <= high <= 1``.

    Returns:
        float32 mask ``(1, 1, H, W)`` in {0, 1}.

    >>> p = torch.zeros(1, 1, 1, 6)
    >>> p[..., 1:3] = torch.tensor([0.9, 0.4])
    >>> p[..., 4] = 0.4
    >>> hysteresis_mask(p, low=0.3, high=0.8)[0, 0, 0].tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    check_shape(probability, ["1", "1", "H", "W"], "probability")
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"need 0 <= low <= high <= 1, got low={low}, high={high}")
    p = probability[0, 0].detach().cpu().float().numpy()
    weak = (p > low).astype(np.uint8)
    count, labels = cv2.connectedComponents(weak, connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[p > high])] = True
    keep[0] = False
    return torch.from_numpy(keep[labels].astype(np.float32))[None, None].to(probability.device)


def _overlaps(box: Box, faces: Sequence[Box]) -> bool:
    y0, y1, x0, x1 = box
    return any(y0 < f[1] and f[0] < y1 and x0 < f[3] and f[2] < x1 for f in faces)


def classify_components(
    mask: torch.Tensor,
    probability: torch.Tensor | None = None,
    *,
    faces: Sequence[Box] = (),
    rules: ComponentRules = ComponentRules(),
) -> tuple[torch.Tensor, list[DamageComponent]]:
    """Label each component of ``mask`` and decide whether to fill it (see the module doc).

    Args:
        mask: ``(1, 1, H, W)``, damage where > 0.5.
        probability: the detector's probability ``(1, 1, H, W)`` in [0, 1]; None (a mask from
            a method without probabilities) counts as evidence 1 everywhere.
        faces: face boxes ``(y0, y1, x0, x1)`` in pixels where stricter rules apply.
        rules: the thresholds.

    Returns:
        ``(labels, components)``: int32 labels ``(H, W)`` as a tensor (0 = background,
        component ``i`` of the list has label ``i + 1``) and one :class:`DamageComponent` per
        component, top to bottom.

    >>> m = torch.zeros(1, 1, 64, 64)
    >>> m[..., 10:50, 30:32] = 1      # a thin scratch
    >>> m[..., 20:44, 4:28] = 1       # a 24 x 24 blob touching nothing
    >>> _, parts = classify_components(m)
    >>> [(c.kind, c.fill) for c in parts]
    [('line', True), ('blob', True)]
    """
    check_shape(mask, ["1", "1", "H", "W"], "mask")
    if probability is not None and probability.shape != mask.shape:
        raise ValueError(
            f"probability {tuple(probability.shape)} must match mask {tuple(mask.shape)}"
        )
    holes = (mask[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
    height, width = holes.shape
    scale = _scale(height, width)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=8)
    if count <= 1:
        return torch.from_numpy(labels.astype(np.int32)), []
    distance = cv2.distanceTransform(holes, cv2.DIST_L2, 3)
    prob = None if probability is None else probability[0, 0].detach().cpu().float().numpy()
    mean_prob = (
        np.ones(count)
        if prob is None
        else np.bincount(labels.ravel(), weights=prob.ravel(), minlength=count)
        / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    )
    margin = rules.border_margin * scale
    components = []
    for j in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[j])
        box = (y, y + h, x, x + w)
        inside = labels[y : y + h, x : x + w] == j
        thickness = 2.0 * float(np.percentile(distance[y : y + h, x : x + w][inside], 90))
        border = x <= margin or y <= margin or x + w >= width - margin or y + h >= height - margin
        if max(w, h) <= rules.spot_size * scale:
            kind: Kind = "spot"
        elif thickness <= rules.line_width * scale:
            kind = "line"
        elif border:
            kind = "border"
        else:
            kind = "blob"
        evidence = float(mean_prob[j])
        in_face = bool(faces) and _overlaps(box, faces)
        fill, reason = _decide(kind, evidence, in_face, rules)
        components.append(
            DamageComponent(box, area, thickness, evidence, kind, in_face, fill, reason)
        )
    return torch.from_numpy(labels.astype(np.int32)), components


def _decide(kind: Kind, evidence: float, in_face: bool, rules: ComponentRules) -> tuple[bool, str]:
    if in_face:
        if kind == "blob" or kind == "border":
            return False, f"{kind} over a face: left alone (a fill would replace the face)"
        need = rules.face_line_evidence if kind == "line" else rules.face_spot_evidence
        if evidence < need:
            return False, f"{kind} over a face with weak evidence ({evidence:.2f} < {need:.2f})"
        return True, f"{kind} over a face, strong evidence ({evidence:.2f})"
    if kind == "blob" and evidence < rules.blob_evidence:
        return False, f"large blob with weak evidence ({evidence:.2f} < {rules.blob_evidence:.2f})"
    return True, f"{kind}" + (f", evidence {evidence:.2f}" if kind == "blob" else "")


def mask_of(
    labels: torch.Tensor, components: Sequence[DamageComponent], *, fill: bool = True
) -> torch.Tensor:
    """The float32 mask ``(1, 1, H, W)`` of the components whose ``fill`` equals ``fill``."""
    chosen = np.zeros(len(components) + 1, bool)
    chosen[1:] = [c.fill == fill for c in components]
    return torch.from_numpy(chosen[labels.numpy()].astype(np.float32))[None, None]


@dataclass(frozen=True)
class DetectionRules:
    """How a damage probability map becomes a damage mask (:func:`refine_detection`).

    Attributes:
        high: a damaged region needs at least one pixel above this probability (hysteresis
            seed)...
        low: ...and holds the 8-connected pixels above this.
        contour: a thin or small component with more than this share of its pixels lying on
            an image edge (the photo's level differs across the mark more than the mark stands
            out: the bright or dark rim of an object, a sharpening halo) is not damage;
            1 turns the rule off.
        blob_evidence: a ``blob`` component (see :func:`classify_components`) with a mean
            probability below this is not kept; 0 turns the rule off.
    """

    high: float = 0.7
    low: float = 0.5
    contour: float = 0.5
    blob_evidence: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.high <= 1.0:
            raise ValueError(f"need 0 <= low <= high <= 1, got {self.low}, {self.high}")
        if not 0.0 <= self.contour <= 1.0 or not 0.0 <= self.blob_evidence <= 1.0:
            raise ValueError("contour and blob_evidence must be in [0, 1]")

    def label(self) -> str:
        return (
            f"high {self.high:g} low {self.low:g} contour {self.contour:g} "
            f"blob {self.blob_evidence:g}"
        )


_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def edge_pixels(image: torch.Tensor, *, scale: float = 1.0) -> np.ndarray:
    """Where the photo has an edge stronger than any thin mark there: bool ``(H, W)``.

    ``image`` ``(1, 3, H, W)`` in [0, 1]. At each pixel the level step across it (gradient of
    the luminance blurred with sigma 1.5 px x ``scale``, times ``sigma * sqrt(2 pi)``: the
    height of a step edge) is compared with how far a thin mark there stands out (the larger
    of the white and black top-hat over ``7 x scale`` px). On the centre of a scratch or crack
    on an even background the step is small; on the rim of an object it is large.
    """
    check_shape(image, ["1", "3", "H", "W"], "image")
    luma = np.ascontiguousarray(image[0].permute(1, 2, 0).cpu().float().numpy() @ _LUMA)
    sigma = 1.5 * scale
    smooth = cv2.GaussianBlur(luma, (0, 0), sigmaX=sigma)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    step = np.hypot(gx, gy) * sigma * math.sqrt(2 * math.pi)
    size = int(round(7 * scale)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    mark = np.maximum(
        cv2.morphologyEx(luma, cv2.MORPH_TOPHAT, kernel),
        cv2.morphologyEx(luma, cv2.MORPH_BLACKHAT, kernel),
    )
    return step > mark


def refine_detection(
    probability: torch.Tensor,
    image: torch.Tensor,
    *,
    rules: DetectionRules = DetectionRules(),
) -> torch.Tensor:
    """The damage mask ``(1, 1, H, W)`` in {0, 1} from a detector's ``probability``
    ``(1, 1, H, W)`` for ``image`` ``(1, 3, H, W)``: hysteresis between ``rules.low`` and
    ``rules.high``, then the contour and blob rules (see :class:`DetectionRules`)."""
    mask = hysteresis_mask(probability, low=rules.low, high=rules.high)
    if rules.contour >= 1.0 and rules.blob_evidence <= 0.0:
        return mask
    labels, parts = classify_components(mask, probability)
    if not parts:
        return mask
    keep = np.ones(len(parts) + 1, bool)
    keep[0] = False
    if rules.contour < 1.0:
        flat = labels.numpy().ravel()
        scale = _scale(*labels.shape)
        on_edge = edge_pixels(image, scale=scale).ravel()
        share = np.bincount(flat, weights=on_edge, minlength=len(parts) + 1) / np.maximum(
            np.bincount(flat, minlength=len(parts) + 1), 1
        )
        for i, part in enumerate(parts, start=1):
            if part.kind in ("line", "spot") and share[i] > rules.contour:
                keep[i] = False
    if rules.blob_evidence > 0.0:
        for i, part in enumerate(parts, start=1):
            if part.kind == "blob" and part.evidence < rules.blob_evidence:
                keep[i] = False
    return torch.from_numpy(keep[labels.numpy()].astype(np.float32))[None, None].to(
        probability.device
    )

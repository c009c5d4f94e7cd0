"""From a damage probability map to the damage worth repairing: one decision per component.

Damage on a print is thin (scratches, cracks, folds), spotty (dust, foxing) or at the border
(tears); a large smooth blob is more often a face, a shadow or a dress that a detector misread,
and a thin bright line along an object's outline is its rim or a sharpening halo. Filling any of
those replaces real picture with a guess. :func:`decide_damage` therefore

1. thresholds the probability with hysteresis (:func:`hysteresis_mask`),
2. drops thin or small components lying mostly on image edges (:func:`edge_pixels`),
3. splits what is left at face boundaries (a crack crossing a face is judged inside the face
   by the face's rules, outside by the usual ones) and labels each 8-connected part by its
   shape — ``line`` (thin everywhere, however long or branched), ``spot`` (small), ``border``
   (touching the frame) or ``blob`` — and
4. decides whether to fill it from its shape and the detector's mean probability over it:
   blobs only on strong evidence; inside a face (its box and eye-nose-mouth core) blobs and
   border pieces never, lines only when long (a crack crossing the face, not a piece of an
   eyelid, lip or jaw line) on strong evidence, spots only on very strong evidence, so eyes,
   nostrils, lips and teeth stay. A spot or short line on the cheeks of a frontal face that
   those rules leave is filled after all when it has no mirrored twin on the other side of
   the face (:mod:`restora.ops.face_mirror`): dust and crack fragments do not come in pairs,
   eyes, nostrils and lip corners do. The face thresholds were chosen on 39 caltech faces never
   trained on (not the 7 of the clean-faces test), toned by the robustness benchmark's
   renderers, clean and with its independent cracks, brush strokes and craquelure
   (``benchmarks/damage_face_rules.py``): with the shipped detector and face head, these rules
   repair none of the 39 clean faces and 38.3 % of the damage drawn over heads - the rules buy
   safety with recall. The mirror rule's thresholds were chosen on other faces
   (``benchmarks/face_mirror_tuning.py``). Last, a learned second look
   (:func:`face_mark_features`, ``second_look``) may fill a spot or line over a face that all
   of these leave, from how it stands out from the skin around it, how busy that skin is,
   where it lies between the eyes, nose and mouth, whether it has a mirrored twin and how
   sharp, grey and even it is (with it: 39.6 % repaired, still no clean face touched;
   ``benchmarks/face_marks_tuning.py``).

The decisions are data (:class:`DamageComponent`), listed in the run report. Sizes are pixels
for a photo with a ~512 px short side and grow with the square root of the size above that
(as the damage the detector was trained on does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import cv2
import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.core.checks import check_shape
from restora.ops.damage import damage_scale
from restora.ops.face_marks import MARK_FEATURES, mark_features, skin_reference
from restora.ops.face_mirror import (
    frontal,
    lighter_than_around,
    mirror_asymmetry,
    on_cheeks,
)

__all__ = [
    "ComponentRules",
    "DamageComponent",
    "DetectionRules",
    "FaceRegion",
    "classify_components",
    "decide_damage",
    "edge_pixels",
    "face_mark_features",
    "hysteresis_mask",
    "mask_of",
    "refine_detection",
]

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), end-exclusive
Kind = Literal["line", "spot", "border", "blob"]
Where = Literal["outside", "face", "core"]
SecondLook = Callable[[np.ndarray], np.ndarray]
"""``(N, F)`` float32 features of marks over faces -> ``(N,)`` probabilities of damage."""


@dataclass(frozen=True)
class FaceRegion:
    """A face: its ``box`` and its eye-nose-mouth ``core`` (inside the box), each
    ``(y0, y1, x0, x1)`` in pixels, end-exclusive; ``landmarks``: its five ``(x, y)`` points
    (eyes, nose, mouth corners) when the detector gives them - they allow mirror evidence
    (:mod:`restora.ops.face_mirror`) in the core."""

    box: Box
    core: Box
    landmarks: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class ComponentRules:
    """Thresholds of :func:`classify_components` (lengths in px at a 512 px short side).

    Attributes:
        line_width: a component whose thickness (twice the 90th percentile of the distance
            from its pixels to its edge) is at most this is a ``line``.
        spot_size: a component whose bounding box fits in this many px is a ``spot``.
        blob_evidence: mean probability a ``blob`` needs to be filled (outside faces).
        face_line_evidence: mean probability a ``line`` piece inside a face needs.
        face_line_length: ... and the length (its box's longer side) it needs: a crack crosses
            the face, a false alarm is a short piece of an eyelid, lip or jaw line.
        face_spot_evidence: mean probability a ``spot`` inside a face needs.
        confirm_evidence: below this mean probability a ``line``, ``blob`` or ``border``
            piece outside faces must be confirmed by a second detector (``support`` of
            :func:`classify_components`: the classical line and spot filters) ...
        confirm_support: ... on at least this fraction of its pixels (within 2 px). Thin
            objects the network mistakes for scratches (tripod legs, lanyards, ties) rarely
            stand out to the classical filters as damage does. Over faces the face rules
            judge alone: the classical filters confirm only 1 % of the damage drawn over
            heads in ``benchmarks/damage_face_rules.py``, and asking them there cut the
            repaired share from 24 % to 1 % without sparing a clean face more (measured
            with the previous, step-5000 weights; a one-off analysis, script not committed).
        border_margin: a component within this many px of the frame is a ``border`` one.
        mirror_asymmetry: a ``spot`` or ``line`` piece inside a face's core that the face
            rules above leave is filled after all when it has no mirrored twin on the other
            side of the face (:func:`restora.ops.face_mirror.mirror_asymmetry` at least this;
            1 is "the other side is plain") ...
        mirror_evidence: ... and at least this mean probability, on a face whose landmarks are
            known and that is seen from the front (:func:`~restora.ops.face_mirror.yaw` at most
            ``mirror_yaw`` eye distances), for a piece on the cheeks
            (:func:`~restora.ops.face_mirror.on_cheeks`, at most ``mirror_outer`` eye
            distances from the face's axis).
            Eyes, nostrils, brows and lip corners come in pairs or lie on the axis; dust and
            crack fragments do not.
        mirror_lighter_spots: ... and, for a ``spot``, only when it is lighter than around it
            (:func:`~restora.ops.face_mirror.lighter_than_around`): a dark spot on a cheek is
            as often a mole or a freckle as dark dust, and a mole is part of the face.
        wide_scratch_width, wide_scratch_elongation: over a face, a ``blob`` or ``border``
            component at most this thick (px at a 512 px short side) whose box's longer side
            is at least ``wide_scratch_elongation`` times its thickness - and, when it touches
            the frame, reaches it across rather than running along it - is a wide scratch and
            is judged as a line (a band along the frame stays a border piece).
        second_look: a ``spot`` or ``line`` piece over a face (box or core) that every rule
            above leaves is filled after all when the second look (``second_look`` of
            :func:`classify_components`: the probability that a mark with these
            :data:`~restora.ops.face_marks.MARK_FEATURES` is damage) gives at least this.
    """

    line_width: float = 7.0
    spot_size: float = 14.0
    blob_evidence: float = 0.85
    face_line_evidence: float = 0.8
    face_line_length: float = 60.0
    face_spot_evidence: float = 0.9
    confirm_evidence: float = 0.9
    confirm_support: float = 0.1
    border_margin: float = 2.0
    mirror_asymmetry: float = 0.8
    mirror_evidence: float = 0.6
    mirror_yaw: float = 0.15
    mirror_outer: float = 0.85
    mirror_lighter_spots: bool = True
    wide_scratch_width: float = 16.0
    wide_scratch_elongation: float = 10.0
    second_look: float = 0.95


@dataclass(frozen=True)
class DamageComponent:
    """One connected part of the candidate damage and what to do with it."""

    box: Box
    area: int
    thickness: float
    evidence: float
    kind: Kind
    where: Where
    fill: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["box"] = list(self.box)
        out["thickness"] = round(self.thickness, 2)
        out["evidence"] = round(self.evidence, 3)
        return out


@dataclass(frozen=True)
class DetectionRules:
    """How a damage probability map becomes the damage to repair (:func:`decide_damage`).

    Attributes:
        high: a damaged region needs at least one pixel above this probability (hysteresis
            seed)...
        low: ...and holds the 8-connected pixels above this.
        contour: a thin or small component with more than this share of its pixels on an
            image edge (:func:`edge_pixels`: the photo's level steps across the mark by more
            than the mark stands out — an object's rim, a sharpening halo) is not damage;
            1 turns the rule off.
        components: the shape and evidence rules of :func:`classify_components`.
    """

    high: float = 0.7
    low: float = 0.5
    contour: float = 0.5
    components: ComponentRules = field(default_factory=ComponentRules)

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.high <= 1.0:
            raise ValueError(f"need 0 <= low <= high <= 1, got {self.low}, {self.high}")
        if not 0.0 <= self.contour <= 1.0:
            raise ValueError(f"contour must be in [0, 1], got {self.contour}")

    def label(self) -> str:
        return (
            f"high {self.high:g} low {self.low:g} contour {self.contour:g} "
            f"blob {self.components.blob_evidence:g}"
        )

    def at_sensitivity(self, sensitivity: float) -> DetectionRules:
        """These rules with both thresholds scaled by ``2 * (1 - sensitivity)`` (0.5 keeps
        them; higher finds fainter damage), kept within [0.02, 0.98]."""
        if not 0.0 <= sensitivity <= 1.0:
            raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity}")
        factor = 2.0 * (1.0 - sensitivity)
        high = min(max(self.high * factor, 0.02), 0.98)
        low = min(max(self.low * factor, 0.02), high)
        return DetectionRules(high=high, low=low, contour=self.contour, components=self.components)


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
    step = int(scale)
    if step >= 2:
        # Large scans: the same test on a copy ``step`` times smaller (the edges of objects
        # are wide there too), scaled back; a 24 MP scan in about a second.
        height, width = luma.shape
        small = cv2.resize(
            luma, (max(1, width // step), max(1, height // step)), interpolation=cv2.INTER_AREA
        )
        edges = _edge_test(small, scale / step).astype(np.uint8)
        return cv2.resize(edges, (width, height), interpolation=cv2.INTER_NEAREST) > 0
    return _edge_test(luma, scale)


def _edge_test(luma: np.ndarray, scale: float) -> np.ndarray:
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


def _regions(shape: tuple[int, int], faces: Sequence[FaceRegion]) -> np.ndarray:
    """uint8 ``(H, W)``: 0 outside faces, 1 in a face box, 2 in a face's core."""
    regions = np.zeros(shape, np.uint8)
    for face in faces:
        y0, y1, x0, x1 = face.box
        regions[max(y0, 0) : y1, max(x0, 0) : x1] = np.maximum(
            regions[max(y0, 0) : y1, max(x0, 0) : x1], 1
        )
    for face in faces:
        y0, y1, x0, x1 = face.core
        regions[max(y0, 0) : y1, max(x0, 0) : x1] = 2
    return regions


_WHERE: tuple[Where, ...] = ("outside", "face", "core")


def classify_components(
    mask: torch.Tensor,
    probability: torch.Tensor | None = None,
    *,
    faces: Sequence[FaceRegion] = (),
    rules: ComponentRules = ComponentRules(),
    support: torch.Tensor | None = None,
    image: torch.Tensor | None = None,
    second_look: SecondLook | None = None,
) -> tuple[torch.Tensor, list[DamageComponent]]:
    """Label each part of ``mask`` and decide whether to fill it (see the module doc).

    The shape comes from each whole 8-connected component; the decision is made per piece of
    it within one region (outside faces, a face box, a face core), so a mark crossing a face is
    judged piece by piece by the rules of where each piece lies.

    Args:
        mask: ``(1, 1, H, W)``, damage where > 0.5.
        probability: the detector's probability ``(1, 1, H, W)`` in [0, 1]; None (a mask from
            a method without probabilities) counts as evidence 1 everywhere.
        faces: where the stricter rules apply.
        rules: the thresholds.
        support: a second detector's mask ``(1, 1, H, W)`` (damage where > 0.5) that must
            confirm weakly evidenced lines, blobs and border pieces (``rules.confirm_*``);
            None: no confirmation asked.
        image: the photo ``(1, 3, H, W)`` in [0, 1]; with it, spots and lines in the core of
            a frontal face with landmarks that the face rules leave can be filled on mirror
            evidence (``rules.mirror_*``); None: no mirror evidence.
        second_look: ``(N, F)`` float32 features of marks over faces
            (:func:`face_mark_features`) -> ``(N,)`` probabilities that they are damage; with
            ``image``, the pieces over faces with landmarks that every other rule leaves are
            filled when it gives at least ``rules.second_look``. None: no second look.

    Returns:
        ``(labels, components)``: int32 labels ``(H, W)`` as a tensor (0 = background,
        component ``i`` of the list has label ``i + 1``) and one :class:`DamageComponent` per
        component.

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
    count, whole, whole_stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=8)
    if count <= 1:
        return torch.from_numpy(whole), []
    # Shape from the whole component: a blob cut by a face's edge stays a blob in each piece.
    distance = cv2.distanceTransform(holes, cv2.DIST_L2, 3)
    scale = damage_scale(height, width)
    margin = rules.border_margin * scale
    kinds: list[Kind] = ["blob"]
    thickness = [0.0]
    wide = [False]  # a wide scratch (judged as a line over faces)
    for j in range(1, count):
        x, y, w, h, _ = (int(v) for v in whole_stats[j])
        inside = whole[y : y + h, x : x + w] == j
        thick = 2.0 * float(np.percentile(distance[y : y + h, x : x + w][inside], 90))
        top_or_bottom = y <= margin or y + h >= height - margin
        left_or_right = x <= margin or x + w >= width - margin
        if max(w, h) <= rules.spot_size * scale:
            kinds.append("spot")
        elif thick <= rules.line_width * scale:
            kinds.append("line")
        else:
            kinds.append("border" if top_or_bottom or left_or_right else "blob")
        along = (top_or_bottom and w > h) or (left_or_right and h > w)
        wide.append(
            kinds[-1] in ("blob", "border")
            and thick <= rules.wide_scratch_width * scale
            and max(w, h) >= rules.wide_scratch_elongation * thick
            and not along
        )
        thickness.append(thick)
    # Pieces: the components cut at face boxes and cores, each judged by its region's rules.
    if faces:
        regions = _regions((height, width), faces)
        flagged = np.flatnonzero(whole)
        key = whole.ravel()[flagged].astype(np.int64) * 3 + regions.ravel()[flagged]
        _, order = np.unique(key, return_inverse=True)
        pieces = np.zeros(height * width, np.int32)
        pieces[flagged] = order.astype(np.int32) + 1
        pieces = pieces.reshape(height, width)
    else:
        regions, pieces = None, whole.astype(np.int32)
    n = int(pieces.max())
    flat = pieces.ravel()
    areas = np.bincount(flat, minlength=n + 1)
    mean_prob = (
        np.ones(n + 1)
        if probability is None
        else np.bincount(
            flat, weights=probability[0, 0].detach().cpu().float().numpy().ravel(), minlength=n + 1
        )
        / np.maximum(areas, 1)
    )
    confirmed = None
    if support is not None:
        check_shape(support, ["1", "1", str(height), str(width)], "support")
        near = (support[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
        reach = 2 * int(round(scale)) + 1
        near = cv2.dilate(near, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
        confirmed = np.bincount(flat, weights=near.ravel(), minlength=n + 1) / np.maximum(areas, 1)
    parent = np.zeros(n + 1, np.int64)
    parent[flat] = whole.ravel()
    region = np.zeros(n + 1, np.int64)
    if regions is not None:
        region[flat] = regions.ravel()
    ys, xs = np.nonzero(pieces)
    owner = pieces[ys, xs]
    top = np.full(n + 1, height)
    left = np.full(n + 1, width)
    bottom = np.zeros(n + 1, np.int64)
    right = np.zeros(n + 1, np.int64)
    np.minimum.at(top, owner, ys)
    np.minimum.at(left, owner, xs)
    np.maximum.at(bottom, owner, ys + 1)
    np.maximum.at(right, owner, xs + 1)
    # A line's length over faces: all its pieces inside faces together (a crack crossing a
    # face is cut at the core's edges into short pieces; it is judged by its whole course).
    in_face = np.flatnonzero(region[1:] > 0) + 1
    span = np.zeros((count, 4), np.int64)
    span[:, 0], span[:, 2] = height, width
    np.minimum.at(span[:, 0], parent[in_face], top[in_face])
    np.maximum.at(span[:, 1], parent[in_face], bottom[in_face])
    np.minimum.at(span[:, 2], parent[in_face], left[in_face])
    np.maximum.at(span[:, 3], parent[in_face], right[in_face])
    mirror = _Mirror(image, faces, rules) if image is not None and faces else None
    components = []
    for j in range(1, n + 1):
        kind, where = kinds[parent[j]], _WHERE[region[j]]
        evidence = float(mean_prob[j])
        box = (int(top[j]), int(bottom[j]), int(left[j]), int(right[j]))
        y0, y1, x0, x1 = span[parent[j]] if region[j] > 0 else box
        length = max(y1 - y0, x1 - x0) / scale
        backed = None if confirmed is None else float(confirmed[j])
        if wide[parent[j]] and where != "outside":
            fill, reason = _decide("line", evidence, where, length, backed, rules)
            reason = f"wide scratch ({kind}): {reason}"
        else:
            fill, reason = _decide(kind, evidence, where, length, backed, rules)
        if not fill and mirror is not None and where == "core" and kind in ("spot", "line"):
            y0, y1, x0, x1 = box
            at = np.nonzero(pieces[y0:y1, x0:x1] == j)
            fill, reason = mirror.decide((at[0] + y0, at[1] + x0), box, kind, evidence, reason)
        components.append(
            DamageComponent(
                box, int(areas[j]), thickness[parent[j]], evidence, kind, where, fill, reason
            )
        )
    if second_look is not None and image is not None and faces:
        components = _looked_again(pieces, components, faces, image, second_look, rules)
    return torch.from_numpy(pieces), components


def face_mark_features(
    pieces: np.ndarray,
    components: Sequence[DamageComponent],
    faces: Sequence[FaceRegion],
    image: torch.Tensor,
) -> tuple[list[int], np.ndarray]:
    """The marks over faces that a second look may judge - the ``spot`` and ``line`` pieces
    inside a face with landmarks that are not to be filled - and their features.

    Args:
        pieces: int ``(H, W)`` labels of :func:`classify_components` (piece ``i`` of
            ``components`` has label ``i + 1``).
        components: its components; faces: the faces it judged with; image: ``(1, 3, H, W)``.

    Returns:
        ``(indices, features)``: the indices into ``components`` and float32
        ``(N, len(MARK_FEATURES))`` (:func:`restora.ops.face_marks.mark_features`).
    """
    check_shape(image, ["1", "3", "H", "W"], "image")
    luma: np.ndarray | None = None
    chroma: np.ndarray | None = None
    skins: dict[int, tuple] = {}
    scale = damage_scale(*pieces.shape)
    indices, rows = [], []
    for i, c in enumerate(components):
        if c.fill or c.where == "outside" or c.kind not in ("spot", "line"):
            continue
        face = _face_at(c.box, faces)
        if face is None or face.landmarks is None:
            continue
        if luma is None or chroma is None:
            luma = rgb_to_gray(image.float())[0, 0].cpu().numpy()
            rgb = image[0].float().cpu().numpy()
            chroma = np.stack([rgb[2] - luma, rgb[0] - luma], axis=-1)
        y0, y1, x0, x1 = c.box
        try:
            if id(face) not in skins:
                skins[id(face)] = skin_reference(luma, chroma, face.landmarks)
            row = mark_features(
                luma,
                pieces,
                i + 1,
                c.box,
                evidence=c.evidence,
                length=max(y1 - y0, x1 - x0) / scale,
                thickness=c.thickness,
                area=c.area,
                is_line=c.kind == "line",
                in_core=c.where == "core",
                landmarks=face.landmarks,
                scale=scale,
                chroma=chroma,
                skin=skins[id(face)],
            )
        except ValueError:  # degenerate landmarks, cheeks outside the photo
            continue
        if row is not None:
            indices.append(i)
            rows.append(row)
    width = len(MARK_FEATURES)
    return indices, (np.stack(rows) if rows else np.zeros((0, width), np.float32))


def _face_at(box: Box, faces: Sequence[FaceRegion]) -> FaceRegion | None:
    """The face whose core, else whose box, holds the centre of ``box``."""
    cy, cx = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2
    for part in ("core", "box"):
        for face in faces:
            y0, y1, x0, x1 = getattr(face, part)
            if y0 <= cy < y1 and x0 <= cx < x1:
                return face
    return None


def _looked_again(
    pieces: np.ndarray,
    components: list[DamageComponent],
    faces: Sequence[FaceRegion],
    image: torch.Tensor,
    second_look: SecondLook,
    rules: ComponentRules,
) -> list[DamageComponent]:
    """``components`` with the marks over faces the second look calls damage filled."""
    indices, features = face_mark_features(pieces, components, faces, image)
    if not indices:
        return components
    probability = np.asarray(second_look(features), np.float64).reshape(-1)
    if probability.shape != (len(indices),):
        raise ValueError(f"second_look gave {probability.shape} for {len(indices)} marks")
    out = list(components)
    for i, p in zip(indices, probability, strict=True):
        if p >= rules.second_look:
            c = out[i]
            out[i] = replace(
                c, fill=True, reason=f"{c.kind} over a face, damage on a second look (p {p:.2f})"
            )
    return out


class _Mirror:
    """Mirror evidence for pieces in face cores (``rules.mirror_*``); the luminance is
    computed once, when a piece first needs it."""

    def __init__(
        self, image: torch.Tensor, faces: Sequence[FaceRegion], rules: ComponentRules
    ) -> None:
        check_shape(image, ["1", "3", "H", "W"], "image")
        self.image = image
        self.faces = [f for f in faces if _frontal(f, rules.mirror_yaw)]
        self.rules = rules
        self._luma: np.ndarray | None = None

    @property
    def luma(self) -> np.ndarray:
        if self._luma is None:
            self._luma = rgb_to_gray(self.image.float())[0, 0].cpu().numpy()
        return self._luma

    def decide(
        self,
        piece: tuple[np.ndarray, np.ndarray],
        box: Box,
        kind: Kind,
        evidence: float,
        reason: str,
    ) -> tuple[bool, str]:
        """Whether the piece (its pixels' ``(rows, columns)`` and ``box``) that the face rules
        left for ``reason`` is filled after all on mirror evidence; and why."""
        if not self.faces or evidence < self.rules.mirror_evidence:
            return False, reason
        cy, cx = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2
        for face in self.faces:
            y0, y1, x0, x1 = face.core
            if y0 <= cy < y1 and x0 <= cx < x1:
                assert face.landmarks is not None
                if not on_cheeks(piece, face.landmarks, outer=self.rules.mirror_outer):
                    return False, reason
                if (
                    kind == "spot"
                    and self.rules.mirror_lighter_spots
                    and not lighter_than_around(self.luma, piece)
                ):
                    return False, f"{reason}; a dark spot (a mole or a freckle is left)"
                score = mirror_asymmetry(self.luma, piece, face.landmarks)
                if score >= self.rules.mirror_asymmetry:
                    return True, (
                        f"{kind} over a face with no mirrored twin (asymmetry {score:.2f}, "
                        f"evidence {evidence:.2f})"
                    )
                return False, f"{reason}; mirrored on the face (asymmetry {score:.2f})"
        return False, reason


def _frontal(face: FaceRegion, limit: float) -> bool:
    """Whether mirror evidence applies to ``face``: landmarks known, not degenerate (the mouth
    not at the eyes), and the face seen from the front."""
    if face.landmarks is None:
        return False
    try:
        return frontal(face.landmarks, limit)
    except ValueError:
        return False


def _decide(
    kind: Kind,
    evidence: float,
    where: Where,
    length: float,
    support: float | None,
    rules: ComponentRules,
) -> tuple[bool, str]:
    """``length``: the piece's box's longer side in px at a 512 px short side; ``support``:
    the fraction of its pixels a second detector confirms (None: no second detector)."""
    if where != "outside":
        if kind in ("blob", "border"):
            return False, f"{kind} over a face: left alone (a fill would replace the face)"
        need = rules.face_spot_evidence if kind == "spot" else rules.face_line_evidence
        if evidence < need:
            return False, f"{kind} over a face with weak evidence ({evidence:.2f} < {need:.2f})"
        if kind == "line" and length < rules.face_line_length:
            return False, f"short line over a face ({length:.0f} < {rules.face_line_length:.0f} px)"
    elif kind == "blob" and evidence < rules.blob_evidence:
        return False, f"large blob with weak evidence ({evidence:.2f} < {rules.blob_evidence:.2f})"
    if (
        support is not None
        and where == "outside"
        and kind != "spot"
        and evidence < rules.confirm_evidence
        and support < rules.confirm_support
    ):
        return False, (
            f"{kind} not confirmed by the classical filters ({100 * support:.0f}% < "
            f"{100 * rules.confirm_support:.0f}%, evidence {evidence:.2f})"
        )
    if where != "outside":
        return True, f"{kind} over a face, strong evidence ({evidence:.2f})"
    return True, kind + (f", evidence {evidence:.2f}" if kind == "blob" else "")


def mask_of(
    labels: torch.Tensor, components: Sequence[DamageComponent], *, fill: bool = True
) -> torch.Tensor:
    """The float32 mask ``(1, 1, H, W)`` of the components whose ``fill`` equals ``fill``."""
    chosen = np.zeros(len(components) + 1, bool)
    chosen[1:] = [c.fill == fill for c in components]
    return torch.from_numpy(chosen[labels.numpy()].astype(np.float32))[None, None]


def _drop_contours(
    mask: torch.Tensor, image: torch.Tensor, contour: float
) -> tuple[torch.Tensor, int]:
    """``mask`` without thin or small components lying mostly on image edges; and how many."""
    holes = (mask[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=8)
    if count <= 1:
        return mask, 0
    scale = damage_scale(*holes.shape)
    flat = labels.ravel()
    on_edge = edge_pixels(image, scale=scale).ravel()
    share = np.bincount(flat, weights=on_edge, minlength=count) / np.maximum(
        np.bincount(flat, minlength=count), 1
    )
    distance = cv2.distanceTransform(holes, cv2.DIST_L2, 3)
    widest = np.zeros(count, np.float32)
    np.maximum.at(widest, flat[flat > 0], distance.ravel()[flat > 0])
    thin = 2 * widest <= ComponentRules().line_width * scale
    small = np.maximum(stats[:, 2], stats[:, 3]) <= ComponentRules().spot_size * scale
    drop = (share > contour) & (thin | small)
    drop[0] = False
    keep = (labels > 0) & ~drop[labels]
    return torch.from_numpy(keep.astype(np.float32))[None, None].to(mask.device), int(drop.sum())


def decide_damage(
    probability: torch.Tensor,
    image: torch.Tensor,
    *,
    rules: DetectionRules = DetectionRules(),
    faces: Sequence[FaceRegion] = (),
    support: torch.Tensor | None = None,
) -> tuple[torch.Tensor, list[DamageComponent]]:
    """The candidate damage of a detector's ``probability`` ``(1, 1, H, W)`` for ``image``
    ``(1, 3, H, W)``, with a fill decision per component (steps 1-4 of the module doc);
    ``support`` as in :func:`classify_components`.

    Returns ``(labels, components)`` as :func:`classify_components`; the mask to repair is
    ``mask_of(labels, components)``.
    """
    check_shape(image, ["1", "3", "H", "W"], "image")
    mask = hysteresis_mask(probability, low=rules.low, high=rules.high)
    if rules.contour < 1.0:
        mask, _ = _drop_contours(mask, image, rules.contour)
    return classify_components(
        mask, probability, faces=faces, rules=rules.components, support=support, image=image
    )


def refine_detection(
    probability: torch.Tensor,
    image: torch.Tensor,
    *,
    rules: DetectionRules = DetectionRules(),
    faces: Sequence[FaceRegion] = (),
) -> torch.Tensor:
    """The mask ``(1, 1, H, W)`` in {0, 1} of the damage :func:`decide_damage` would fill."""
    labels, components = decide_damage(probability, image, rules=rules, faces=faces)
    return mask_of(labels, components).to(probability.device)

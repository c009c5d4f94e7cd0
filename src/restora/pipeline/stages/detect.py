"""``detect_damage``: find scratches, dust and other damage, unless the user supplied a mask.

Methods (``detect.method``; ``auto``, the default, is the first installed of the table):

* ``learned``: restora's trained damage segmentation network (catalogue entry
  ``damage.unet``), a local operator with a total stride of 8. Over the memory budget it runs
  tile by tile with tiles aligned to 8 px and a wide overlap (the descriptor's advice); its
  probability map (averaged over ``detect.views`` mirror views) becomes the mask as described
  below. On photos of 768 px and more (short side) it also runs on halved copies
  (``detect.pyramid``, :func:`learned_probability`): damage on a large scan is wider than
  anything the network saw in training.
* ``classical`` (:func:`restora.ops.damage.detect_damage_classical`) is not a local operator: it
  normalizes by image-wide block statistics, keeps or drops whole components by their length and
  follows scratches across the photo. Cut into tiles it would decide differently near the seams,
  so it never tiles. When the whole photo would not fit the memory budget it runs on a
  proportionally smaller copy (area downscale) and the mask is scaled back up. With the default
  1 GB budget that starts above ~13 MP; at the 100 MP limit the copy is ~0.37x, where marks one
  or two pixels wide can be missed (the report notes the factor).

What is repaired (``detect.components = "decide"``, the default): the network's probability map
goes through :func:`restora.ops.damage_components.decide_damage` — hysteresis between
:data:`RULES`' thresholds (scaled by the sensitivity), thin marks lying along the photo's own
edges dropped, and one decision per component from its shape and evidence, with stricter rules
inside the faces the analysis finds (relaxed on a frontal face's cheeks for marks with no
mirrored twin, :mod:`restora.ops.face_mirror`); outside faces, lines, blobs and border pieces
of moderate evidence must also be confirmed by the classical detector's filters
(``ComponentRules.confirm_*``). The classical detector's mask gets the same shape and face
decisions (its evidence counts as certain). ``restoration.mask`` holds what will be repaired;
``restoration.damage`` lists every component with its decision (the report shows them).

Inside the heads the analysis finds, the face head (``damage.unet_faces``, ``detect.face_head``)
runs on each head with :data:`FACE_CONTEXT` px of context and the higher of its probability and
the network's is kept there (:func:`with_face_head`) before the decisions.

``detect.cracks`` (opt-in) adds the marks of :func:`restora.ops.cracks.detect_cracks` (light
crack networks) to the candidates of either method, with their own evidence (0.5-1) as the
probability: the marks the network's probability supports, however faint or clear; with the
classical method, the clear ones and those its mask supports
(:func:`restora.ops.cracks.keep_supported`); they need no classical confirmation, but the face
rules judge them as any other candidate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from restora.color.gray import rgb_to_gray
from restora.core.errors import RestoraError
from restora.models.catalogue import checked_folder, installed, load
from restora.models.checkpoint import load_model
from restora.models.descriptor import ModelDescriptor
from restora.models.face.regions import face_region
from restora.ops.cracks import detect_cracks, keep_supported
from restora.ops.damage import detect_damage_classical
from restora.ops.damage_components import (
    ComponentRules,
    DamageComponent,
    DetectionRules,
    FaceRegion,
    SecondLook,
    classify_components,
    decide_damage,
    mask_of,
)
from restora.ops.face_marks import MARK_FEATURES
from restora.ops.guided import guided_filter
from restora.pipeline.context import RunContext
from restora.pipeline.methods import Method, pick
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.strategies import run_tiled

NETWORK = "damage.unet"
FACE_NETWORK = "damage.unet_faces"
FACE_MARKS = "damage.face_marks"
FACE_CONTEXT = 32  # px of photo around a head that the face head also sees
METHODS = (Method("learned", NETWORK), Method("classical"))
RULES = DetectionRules(
    high=0.7, low=0.5, contour=0.5, components=ComponentRules(confirm_evidence=0.85)
)
"""How the shipped network's probability becomes the damage to repair (at sensitivity 0.5).
Chosen on the robustness benchmark's selection split (``benchmarks/damage_tuning.py``, results
``damage_tuning_deep5000``) and on the real scans: stricter hysteresis (0.85 / 0.7) halved the
selection split's clean false alarms (median 0.37 -> 0.18 %) but cut crack recall on the real
crack-covered scans from 0.49 to 0.39 (``damage_real_probe5000a`` / ``b``). The classical
confirmation below evidence 0.85 (not 0.9) came with the second-phase weights
(``damage_probe_p2_selection_confirm085`` against ``damage_probe_selection_shipped``: 42 / 49
selection cells within the false-alarm target against 41, mean IoU 0.245 against 0.206)."""
PYRAMID_MIN_SIDE = 384
"""``detect.pyramid``'s coarsest level: the photo halved while its short side stays >= this."""
GUIDE_EPS = 1e-3
"""Regularisation of the guided filter that puts coarse levels back onto the photo's edges."""
_BYTES_PER_PIXEL = 80.0  # classical: measured ~73 B/px on a 12 MP photo (luma, filters, masks);
# the crack detector: ~60 B/px at 24 MP (peak RSS less the process and the photo)


def working_factor(height: int, width: int, budget_mb: int) -> float:
    """Linear downscale factor (<= 1) that makes detection on ``height x width`` fit the budget."""
    need = height * width * _BYTES_PER_PIXEL
    budget = budget_mb * 1024 * 1024
    return 1.0 if need <= budget else math.sqrt(budget / need)


def pyramid_sizes(height: int, width: int, min_side: int) -> list[tuple[int, int]]:
    """The sizes ``(h, w)`` of the coarser levels of :func:`learned_probability`'s pyramid:
    the photo halved, quartered ... while its short side stays at least ``min_side``.

    >>> pyramid_sizes(3000, 2000, 384)
    [(1500, 1000), (750, 500)]
    >>> pyramid_sizes(700, 500, 384)
    []
    """
    if min_side < 1:
        raise ValueError(f"min_side must be at least 1, got {min_side}")
    sizes, factor = [], 0.5
    while min(height, width) * factor >= min_side:
        sizes.append((max(1, round(height * factor)), max(1, round(width * factor))))
        factor /= 2
    return sizes


def thin_marks(probability: torch.Tensor) -> torch.Tensor:
    """Where a coarse level's map ``(1, 1, h, w)`` shows thin or small marks: the ``line`` and
    ``spot`` components of ``probability > 0.5`` (:func:`classify_components`' shapes at that
    level's size), grown by 1 px; float ``(1, 1, h, w)`` in {0, 1} on the CPU. A coarse level
    is there for damage that is thin at its scale; a blob there is a larger blob at full size
    (a bright roof, a sky), which the network at full size has already judged."""
    labels, parts = classify_components((probability > 0.5).float().cpu())
    keep = mask_of(labels, [replace(c, fill=c.kind in ("line", "spot")) for c in parts])
    return F.max_pool2d(keep, 3, stride=1, padding=1)


def learned_probability(
    image: torch.Tensor,
    ctx: RunContext | None = None,
    *,
    views: int = 4,
    network: ModelDescriptor | None = None,
    pyramid_min_side: int | None = None,
) -> torch.Tensor:
    """Probability of damage ``(1, 1, H, W)`` in [0, 1] for an image ``(1, 3, H, W)`` in [0, 1]
    from restora's network (or ``network``: another checkpoint prepared with
    ``restora.models.catalogue.prepare(model, "damage.unet")``), averaged over ``views`` mirror
    views (1, 2 or 4), tiled as the descriptor advises when the image does not fit ``ctx``'s
    memory budget.

    ``pyramid_min_side``: also run the network (one view) on area-downscaled copies of the
    photo (:func:`pyramid_sizes`: halved while the short side stays at least this) and keep, per
    pixel, the highest probability of any level. The network learned damage a few pixels wide;
    on a large scan a crack or scratch is many times wider and only a coarser copy shows it at
    the width it knows. Only a coarse level's thin and small marks count (:func:`thin_marks`).
    A coarse level's map, drawn up to full size, is blurred by its factor
    ``k``: it is put back onto the photo's own edges with a guided filter (radius ``k`` px,
    the luminance as guide, :func:`restora.ops.guided.guided_filter`) and squared (0.5 there
    needs 0.71), so its blurred rims do not widen thin damage found at full size. None: full
    size only."""
    network = network or _network()
    ctx = ctx or RunContext()

    def at(copy: torch.Tensor, n: int) -> torch.Tensor:
        probability, _ = run_tiled(
            lambda tile: network(tile, views=n),
            copy,
            ctx,
            what="detect_damage",
            overlap=network.tile_overlap,
            bytes_per_pixel=network.bytes_per_pixel,
            align=network.tile_align,
            out_channels=1,
        )
        return probability

    probability = at(image, views)
    if pyramid_min_side is None:
        return probability
    height, width = image.shape[-2:]
    sizes = pyramid_sizes(height, width, pyramid_min_side)
    luma = rgb_to_gray(image) if sizes else None
    for level, size in enumerate(sizes, start=1):
        coarse = at(F.interpolate(image, size=size, mode="area"), 1)
        coarse = coarse * thin_marks(coarse).to(coarse)
        coarse = F.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
        coarse = guided_filter(luma, coarse, radius=2**level, eps=GUIDE_EPS)
        probability = torch.maximum(probability, coarse.to(probability).clamp(0.0, 1.0) ** 2)
    return probability


def _network() -> ModelDescriptor:
    network = load(NETWORK)
    assert isinstance(network, ModelDescriptor)
    return network


def _face_network() -> ModelDescriptor | None:
    """The face head, or None when its weights are not installed."""
    if not installed(FACE_NETWORK):
        return None
    network = load(FACE_NETWORK)
    assert isinstance(network, ModelDescriptor)
    return network


@lru_cache(maxsize=1)
def _face_marks() -> SecondLook | None:
    """The second look at marks over faces (features -> probabilities of damage), or None
    when its weights are not installed."""
    if not installed(FACE_MARKS):
        return None
    model = load_model(checked_folder(FACE_MARKS)).eval()
    if tuple(getattr(model, "features", ())) != MARK_FEATURES:
        raise RestoraError(
            f"shipped model {FACE_MARKS} reads the features {getattr(model, 'features', None)}, "
            f"this restora computes {MARK_FEATURES} (reinstall restora)"
        )

    def look(features: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(np.ascontiguousarray(features, np.float32))).numpy()

    return look


def with_face_head(
    probability: torch.Tensor,
    image: torch.Tensor,
    faces: list[FaceRegion],
    network: ModelDescriptor,
    ctx: RunContext | None = None,
) -> torch.Tensor:
    """``probability`` ``(1, 1, H, W)`` of the photo ``image`` ``(1, 3, H, W)``, with the higher
    of it and ``network``'s probability inside each face's head box (the network sees the head
    with :data:`FACE_CONTEXT` px around it, in as many mirror views as it advises); a new
    tensor, in [0, 1]."""
    out = probability.clone()
    height, width = image.shape[-2:]
    for face in faces:
        y0, y1, x0, x1 = face.box
        if y1 <= y0 or x1 <= x0:
            continue
        top, left = max(0, y0 - FACE_CONTEXT), max(0, x0 - FACE_CONTEXT)
        crop = image[
            ..., top : min(height, y1 + FACE_CONTEXT), left : min(width, x1 + FACE_CONTEXT)
        ]
        views = network.auto_views(*crop.shape[-2:])
        head = learned_probability(crop, ctx, views=views, network=network)
        head = head[..., y0 - top : y1 - top, x0 - left : x1 - left].to(out)
        out[..., y0:y1, x0:x1] = torch.maximum(out[..., y0:y1, x0:x1], head)
    return out


def _faces(restoration: Restoration, spec: PipelineSpec) -> list:
    """Face regions of the photo when ``detect.faces`` and a face detector are available."""
    if not spec.detect.faces:
        return []
    faces = restoration.analysis.faces
    if not faces:
        return []
    h, w = restoration.analysis.size
    return [face_region(face, h, w) for face in faces]


def _summary(components: list[DamageComponent]) -> str:
    kept = [c for c in components if c.fill]
    left = [c for c in components if not c.fill]
    kinds = {k: sum(c.kind == k for c in kept) for k in ("line", "spot", "border", "blob")}
    text = f"{len(kept)} to repair (" + ", ".join(f"{n} {k}" for k, n in kinds.items() if n) + ")"
    if left:
        faces = sum(c.where != "outside" for c in left)
        blobs = sum(c.where == "outside" for c in left)
        parts = [f"{blobs} large blob(s) with weak evidence"] if blobs else []
        parts += [f"{faces} over faces"] if faces else []
        text += f"; {len(left)} left alone: " + ", ".join(parts)
    return text


def within_budget(
    detect: Callable[[torch.Tensor], tuple[torch.Tensor, ...]],
    image: torch.Tensor,
    budget_mb: int,
) -> tuple[torch.Tensor, ...]:
    """``detect(image)`` -> ``(mask, *maps)``, each ``(1, 1, H, W)``, for an image-wide detector
    that cannot be tiled: on the whole photo, or on an area-downscaled copy when the photo does
    not fit ``budget_mb`` (:func:`working_factor`). From a copy, the mask comes back with
    bilinear interpolation and a 0.5 threshold (a one-pixel mark stays at least one pixel wide)
    and the other maps, nearest-neighbour, only on it."""
    h, w = image.shape[-2:]
    factor = working_factor(h, w, budget_mb)
    if factor == 1.0:
        return detect(image)
    size = (max(1, round(h * factor)), max(1, round(w * factor)))
    found, *maps = detect(F.interpolate(image, size=size, mode="area"))
    mask = (F.interpolate(found, size=(h, w), mode="bilinear", align_corners=False) > 0.5).float()
    return (mask, *(F.interpolate(m, size=(h, w), mode="nearest") * mask for m in maps))


def classical_mask(image: torch.Tensor, *, sensitivity: float, budget_mb: int) -> torch.Tensor:
    """:func:`~restora.ops.damage.detect_damage_classical` :func:`within_budget`."""
    return within_budget(
        lambda x: (detect_damage_classical(x, sensitivity=sensitivity),), image, budget_mb
    )[0]


def crack_marks(
    image: torch.Tensor, *, sensitivity: float, budget_mb: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`~restora.ops.cracks.detect_cracks` :func:`within_budget`: the crack mask and its
    evidence, on the CPU."""
    mask, evidence = within_budget(
        lambda x: detect_cracks(x, sensitivity=sensitivity), image.cpu(), budget_mb
    )
    return mask, evidence


class DetectDamageStage(Stage):
    name = "detect_damage"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        if restoration.mask is not None:
            return self.skip("user", "using the supplied mask")
        if spec.detect.method == "none":
            return self.skip("none", "detection turned off: nothing will be inpainted")
        method, notes = pick(self.name, spec.detect.method, METHODS)
        image, sensitivity = restoration.image, spec.detect.sensitivity
        cracks = (
            crack_marks(image, sensitivity=sensitivity, budget_mb=ctx.memory_budget_mb)
            if spec.detect.cracks
            else None
        )
        if method.name == "learned":
            views = spec.detect.views
            if views == "auto":
                views = _network().auto_views(*image.shape[-2:])
            coarsest = PYRAMID_MIN_SIDE if spec.detect.pyramid else None
            probability = learned_probability(image, ctx, views=views, pyramid_min_side=coarsest)
            faces = _faces(restoration, spec)
            face_note = ""
            if faces and spec.detect.face_head:
                head = _face_network()
                if head is None:
                    notes.append(f"face head ({FACE_NETWORK}) not installed: heads not re-checked")
                else:
                    probability = with_face_head(probability, image, faces, head, ctx)
                    face_note = f"; face head on {len(faces)} head{'s' if len(faces) > 1 else ''}"
            second_look = None
            if faces and spec.detect.face_marks:
                second_look = _face_marks()
                if second_look is None:
                    notes.append(
                        f"second look ({FACE_MARKS}) not installed: marks over faces "
                        "judged by the face rules alone"
                    )
            rules = RULES.at_sensitivity(sensitivity)
            labels, parts = decide_damage(probability, image, rules=rules)
            candidates, probability = (labels > 0).float()[None, None], probability.cpu()
            if cracks is not None:
                cracks = (keep_supported(cracks[0], probability), cracks[1])
                candidates = torch.maximum(candidates, cracks[0])
                probability = torch.maximum(probability, cracks[1] * cracks[0])
            if candidates.any() and spec.detect.components == "decide":
                # the same candidates, judged again with the faces and the classical filters
                support = classical_mask(
                    image, sensitivity=sensitivity, budget_mb=ctx.memory_budget_mb
                ).cpu()
                if cracks is not None:  # the crack detector's own marks need no confirmation
                    support = torch.maximum(support, cracks[0])
                labels, parts = classify_components(
                    candidates,
                    probability,
                    faces=faces,
                    rules=rules.components,
                    support=support,
                    image=image,
                    second_look=second_look,
                )
            elif cracks is not None:
                labels, parts = classify_components(candidates, probability, rules=rules.components)
            levels = len(pyramid_sizes(*image.shape[-2:], coarsest)) if coarsest else 0
            note = (
                f"restora's damage network ({views} view{'s' if views > 1 else ''}"
                + (f", and {levels} coarser level{'s' if levels > 1 else ''}" if levels else "")
                + f"), thresholds {rules.high:.2f} / {rules.low:.2f}"
                + face_note
            )
        else:
            found = classical_mask(image, sensitivity=sensitivity, budget_mb=ctx.memory_budget_mb)
            if cracks is not None:
                cracks = (keep_supported(cracks[0], found.cpu(), evidence=cracks[1]), cracks[1])
                found = torch.maximum(found.cpu(), cracks[0])
            labels, parts = classify_components(found, rules=RULES.components)
            if parts and spec.detect.components == "decide":
                faces = _faces(restoration, spec)
                if faces:
                    labels, parts = classify_components(
                        found, faces=faces, rules=RULES.components, image=image
                    )
            note = "classical detector"
            factor = working_factor(*image.shape[-2:], ctx.memory_budget_mb)
            if factor < 1.0:
                note += f" (at {factor:.2f}x size to fit the memory budget)"
        if spec.detect.components == "all":
            mask = (labels > 0).float()[None, None]
            parts = [replace(c, fill=True, reason="detect.components = all") for c in parts]
        else:
            mask = mask_of(labels, parts)
        restoration.mask = mask.to(image.device)
        restoration.mask_source = "detected"
        restoration.damage = parts
        if cracks is not None:
            note += f"; crack detector: {100 * float(cracks[0].mean()):.2f}% of pixels kept"
            factor = working_factor(*image.shape[-2:], ctx.memory_budget_mb)
            if factor < 1.0:
                note += f" (found at {factor:.2f}x size to fit the memory budget)"
        notes[:0] = [
            note,
            f"{100 * float(mask.mean()):.2f}% of pixels to repair: {_summary(parts)}",
        ]
        return StageRecord(stage=self.name, method=method.name, ran=True, notes=notes)

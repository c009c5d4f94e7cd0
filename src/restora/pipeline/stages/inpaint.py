"""``inpaint``: fill the damage mask with restora's network, a classical method or DIP.

Methods (``inpaint.method``; ``auto``, the default, is the first installed of the table):
``restora`` (catalogue entry ``inpaint.refine``: a U-Net refining Telea's fill, averaged over
``inpaint.views`` mirror views, then near hole edges with FSR fast's fill by
``inpaint.fsr_weight``), the classical methods of :mod:`restora.ops.inpaint` (Telea,
Navier-Stokes, FSR, biharmonic) and ``dip`` (Deep Image Prior, no weights, slow).

Then, with ``inpaint.face_mirror``, hole pixels in the eye-nose-mouth region of a frontal face
take their structure from the mirrored side of the face (:func:`mirror_faces`,
:mod:`restora.ops.face_fill`).

Only hole pixels change. A mask the user gave is filled exactly as drawn; a detected mask is
grown by ``inpaint.dilate`` px first (it covers the soft edges of marks), and a user's mask
only when ``inpaint.dilate_user`` asks for it.
"""

from __future__ import annotations

import torch

from restora.models.catalogue import load
from restora.models.descriptor import ModelDescriptor
from restora.models.face.face import Face
from restora.models.face.regions import face_region
from restora.ops.face_fill import feature_weight, mirror_fill
from restora.ops.face_mirror import frontal
from restora.ops.inpaint import CLASSICAL_INPAINTERS, hole_edge_ramp, inpaint_classical
from restora.pipeline.context import RunContext
from restora.pipeline.methods import Method, pick
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.stages.inpaint_dip import dip_fill
from restora.pipeline.strategies import crop_around_mask, dilate_mask

NETWORK = "inpaint.refine"
METHODS = (  # auto: the network, else Telea
    Method("restora", NETWORK),
    Method("telea"),
    *(Method(name, auto=False) for name in CLASSICAL_INPAINTERS.names() if name != "telea"),
    Method("dip", auto=False),
)
_CELL, _MARGIN = 1024, 48  # classical methods: crops as the network's (see its advice)
_DIP_MARGIN = 96  # DIP fits one network per crop: few large cells, not one crop per component
_FSR_NEAR, _FSR_FAR = 4.0, 8.0  # the FSR blend: full within 4 px of known pixels, none from 8
MIRROR_YAW = 0.15  # eye distances the nose may sit off the axis for a mirrored fill


def mirror_faces(
    image: torch.Tensor, hole: torch.Tensor, faces: list[Face]
) -> tuple[torch.Tensor, int]:
    """``image`` ``(1, 3, H, W)`` in [0, 1] (holes already filled) with the hole pixels
    (``hole`` ``(1, 1, H, W)``, 1 = hole) around each frontal face's eyes and mouth refilled
    from the mirrored side (:func:`restora.ops.face_fill.mirror_fill` with
    :func:`~restora.ops.face_fill.feature_weight`, on the head's box only); and how many pixels
    that changed."""
    height, width = image.shape[-2:]
    changed = 0
    for face in faces:
        if face.landmarks is None or not _frontal(face):
            continue
        region = face_region(face, height, width)
        y0, y1, x0, x1 = region.box
        crop = hole[0, 0, y0:y1, x0:x1].cpu().numpy() > 0.5
        points = [(x - x0, y - y0) for x, y in face.landmarks]
        weight = feature_weight(points, *crop.shape)
        if not (crop & (weight > 0.01)).any():
            continue
        photo = image[0, :, y0:y1, x0:x1].permute(1, 2, 0).cpu().float().numpy()
        out, n = mirror_fill(photo, crop, points, weight)
        if n:
            image = image.clone() if changed == 0 else image
            image[0, :, y0:y1, x0:x1] = torch.from_numpy(out).permute(2, 0, 1).to(image)
            changed += n
    return image, changed


def _frontal(face: Face) -> bool:
    try:
        return frontal(face.landmarks, MIRROR_YAW)
    except ValueError:  # degenerate landmarks
        return False


class InpaintStage(Stage):
    name = "inpaint"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.inpaint
        method, notes = pick(self.name, options.method, METHODS)
        if restoration.mask is None or not bool((restoration.mask > 0.5).any()):
            return self.skip(method.name, "no damage to fill")
        grow = options.dilate if restoration.mask_source != "user" or options.dilate_user else 0
        mask = dilate_mask(restoration.mask, grow)
        if float(mask.mean()) > 0.999:
            return self.skip(method.name, "the mask covers the whole image: nothing to fill from")

        cell, margin, regions, views = _CELL, _MARGIN, "components", 1
        if method.name == "dip":
            margin, regions = _DIP_MARGIN, "cells"

            def fill(image: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
                return dip_fill(image, hole, seed=options.seed, iterations=options.dip_iterations)

        elif method.model is not None:
            network = load(method.model)
            assert isinstance(network, ModelDescriptor)
            cell, margin = network.tile_size or cell, network.tile_overlap
            views = options.views
            if views == "auto":
                views = network.auto_views(*restoration.image.shape[-2:])

            weight = options.fsr_weight
            hole_px = int((mask > 0.5).sum())
            if weight > 0 and hole_px > options.fsr_max_hole_px:
                notes.append(
                    f"network alone: {hole_px} hole pixels are more than inpaint.fsr_max_hole_px "
                    f"({options.fsr_max_hole_px}) for the FSR blend"
                )
                weight = 0.0
            elif weight > 0:
                notes.append(
                    f"network fill averaged with FSR fast's near hole edges (weight {weight:g})"
                )

            def fill(image: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
                out = network(image, hole, views=views)
                if weight > 0:
                    fsr = inpaint_classical(image, hole, method="fsr_fast")
                    share = weight * hole_edge_ramp(hole, near=_FSR_NEAR, far=_FSR_FAR).to(out)
                    out = (1 - share) * out + share * fsr.to(out)
                return out

        else:

            def fill(image: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
                return inpaint_classical(image, hole, method=method.name, radius=options.radius)

        restoration.image = crop_around_mask(
            fill,
            restoration.image,
            mask,
            cell=cell,
            margin=margin,
            regions=regions,
            progress=ctx.tile_progress("inpaint"),
        )
        if options.face_mirror and restoration.analysis.faces:
            restoration.image, mirrored = mirror_faces(
                restoration.image, mask, restoration.analysis.faces
            )
            if mirrored:
                notes.append(f"{mirrored} pixels in faces filled from the mirrored side")
        how = f"{restoration.mask_source} mask" + (
            f" dilated by {grow} px" if grow else " as given"
        )
        if views > 1:
            how += f", {views} views"
        notes.append(f"filled {100 * float(mask.mean()):.2f}% of pixels ({how})")
        return StageRecord(stage=self.name, method=method.name, ran=True, notes=notes)

"""How the damage stage's mirror evidence on faces was chosen (``ComponentRules.mirror_*``,
:mod:`restora.ops.face_mirror`): on faces that the held-out checks do not use.

Photos: caltech_faces below ``image_0300`` (the identities the held-out face benchmarks leave
out), each toned by one of the robustness benchmark's renderers in turn, three times: clean,
with the independent generator's cracks, brush strokes and craquelure (3 % coverage), and with
restora's ``classic`` damage (scratches, dust, hairs; no aging). For each photo the shipped
``detect_damage`` stage runs; every ``spot`` or ``line`` piece in a face's core that the strict
face rules leave (evidence or length) is a candidate. A candidate counts as damage when half
its pixels lie on the generator's mask (grown by 1 px), as a false alarm when none of the
photo is damaged (clean) or less than a tenth of it lies on the mask.

Each variant of the mirror rule is then applied to the same candidates: how many damage pieces
(and pixels) it would fill, how many false alarms, and on how many clean photos it would repair
anything inside a face.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/face_mirror_tuning.py [--limit N]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import restora  # noqa: E402
import restora.pipeline.stages.detect as detect_stage  # noqa: E402
from _common import command_line, write_table  # noqa: E402
from restora.color.gray import rgb_to_gray  # noqa: E402
from restora.data.damage import DAMAGE_PROFILES, synthesize_damage  # noqa: E402
from restora.io.arrays import numpy_to_tensor  # noqa: E402
from restora.models.face.regions import face_region  # noqa: E402
from restora.ops.damage_components import ComponentRules  # noqa: E402
from restora.ops.face_mirror import (  # noqa: E402
    cheek_span,
    frontal,
    lighter_than_around,
    mirror_asymmetry,
)
from robustness.damage import draw_damage  # noqa: E402
from robustness.photos import load_photo, training_faces  # noqa: E402
from robustness.tones import TONES  # noqa: E402

SHIPPED = ComponentRules()
EVIDENCE = (0.5, 0.6, 0.7)
ASYMMETRY = (0.7, 0.8, 0.9, 0.95)
OUTER = (0.85, 1.0, 1.2, float("inf"))  # eye distances from the axis; inf: anywhere in the core
SPOTS = ("any", "lighter")
INNER, LONGEST = 0.12, 0.6  # as restora.ops.face_mirror.on_cheeks


class _Labels:
    """Keeps the last labels the stage's ``classify_components`` returned."""

    def __init__(self) -> None:
        self.labels: np.ndarray | None = None
        self._original = detect_stage.classify_components

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        labels, parts = self._original(*args, **kwargs)
        self.labels = labels.numpy()
        return labels, parts


def candidates(photo: np.ndarray, truth: np.ndarray | None, capture: _Labels) -> list[dict]:
    """The core pieces of ``photo`` (float RGB ``(H, W, 3)``) the strict face rules leave."""
    image = numpy_to_tensor(photo)
    out = restora.restore(image, stages=["detect_damage"])
    luma = rgb_to_gray(image)[0, 0].numpy()
    height, width = luma.shape
    faces = [f for f in out.analysis.faces or [] if f.landmarks is not None]
    rows = []
    for j, part in enumerate(out.damage):
        strict_no = not part.fill or "mirrored twin" in part.reason
        if part.where != "core" or part.kind not in ("spot", "line") or not strict_no:
            continue
        if part.evidence < min(EVIDENCE):
            continue
        y0, y1, x0, x1 = part.box
        at = np.nonzero(capture.labels[y0:y1, x0:x1] == j + 1)
        pixels = (at[0] + y0, at[1] + x0)
        cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
        face = next(
            (
                f
                for f in faces
                if (c := face_region(f, height, width).core)[0] <= cy < c[1] and c[2] <= cx < c[3]
            ),
            None,
        )
        if face is None or not frontal(face.landmarks, SHIPPED.mirror_yaw):
            continue
        on = 0.0 if truth is None else float(truth[pixels].mean())
        rows.append(
            {
                "label": "clean"
                if truth is None
                else "damage"
                if on >= 0.5
                else "false"
                if on < 0.1
                else "mixed",
                "pixels": int(pixels[0].size),
                "kind": part.kind,
                "lighter": lighter_than_around(luma, pixels),
                "evidence": round(part.evidence, 4),
                "asymmetry": round(mirror_asymmetry(luma, pixels, face.landmarks), 4),
                "span": [round(v, 4) for v in cheek_span(pixels, face.landmarks)],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N photos only (0: all)")
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="summarize the candidates an earlier run wrote (its .candidates.json) instead",
    )
    args = parser.parse_args()
    if args.source:
        saved = json.loads(args.source.read_text(encoding="utf-8"))
        found, photos = [(c.pop("photo"), c) for c in saved["candidates"]], saved["photos"]
    else:
        found, photos = collect(args.limit)
    rows, notes = summarize(found, photos)
    print(notes)
    _, table = write_table("face_mirror_tuning", rows, command_line(), notes)
    saved = {"photos": photos, "candidates": [{"photo": tag, **r} for tag, r in found]}
    lines = ",\n".join(json.dumps(c) for c in saved["candidates"])
    table.with_suffix(".candidates.json").write_text(
        f'{{"photos": {photos}, "candidates": [\n{lines}\n]}}\n', encoding="utf-8"
    )


def collect(limit: int) -> tuple[list[tuple[str, dict]], int]:
    """The candidates of the tuning photos (the first ``limit``; 0: all) and their count."""
    paths = training_faces(limit=limit)
    capture = _Labels()
    detect_stage.classify_components = capture
    classic = dataclasses.replace(DAMAGE_PROFILES["classic"], age=False)
    grow = np.ones((3, 3), np.uint8)
    tones = list(TONES)
    found: list[tuple[str, dict]] = []
    for i, path in enumerate(paths):
        rng = np.random.default_rng([11, i])
        photo = TONES[tones[i % len(tones)]](load_photo(path), rng)
        found += [(f"{path.stem}:clean", r) for r in candidates(photo, None, capture)]
        drawn = draw_damage(photo, rng, kinds=["cracks", "brush", "craquelure"], coverage=0.03)
        truth = cv2.dilate(drawn.mask.astype(np.uint8), grow) > 0
        found += [(path.stem, r) for r in candidates(drawn.image, truth, capture)]
        image, mask = synthesize_damage(
            torch.from_numpy(photo).permute(2, 0, 1)[None],
            rng=np.random.default_rng(i),
            config=classic,
        )
        truth = cv2.dilate((mask[0, 0].numpy() > 0.5).astype(np.uint8), grow) > 0
        found += [
            (path.stem, r) for r in candidates(image[0].permute(1, 2, 0).numpy(), truth, capture)
        ]
        print(i, path.name, len(found), file=sys.stderr, flush=True)
    detect_stage.classify_components = capture._original
    return found, len(paths)


def summarize(found: list[tuple[str, dict]], photos: int) -> tuple[list[dict], str]:
    """One row per rule variant (see the module doc) and the table's notes."""
    damage_total = sum(r["label"] == "damage" for _, r in found)
    rows = []
    for evidence, asymmetry, outer, spots in itertools.product(EVIDENCE, ASYMMETRY, OUTER, SPOTS):
        chosen = [
            (tag, r)
            for tag, r in found
            if r["evidence"] >= evidence
            and r["asymmetry"] >= asymmetry
            and r["span"][0] >= INNER
            and r["span"][1] <= outer
            and r["span"][2] <= LONGEST
            and (spots == "any" or r["kind"] != "spot" or r["lighter"])
        ]
        rows.append(
            {
                "evidence_at_least": evidence,
                "asymmetry_at_least": asymmetry,
                "outer_at_most": outer,
                "spots": spots,
                "damage_pieces_filled": sum(r["label"] == "damage" for _, r in chosen),
                "damage_pixels_filled": sum(
                    r["pixels"] for _, r in chosen if r["label"] == "damage"
                ),
                "false_alarms_on_damaged": sum(r["label"] == "false" for _, r in chosen),
                "clean_pieces_filled": sum(r["label"] == "clean" for _, r in chosen),
                "clean_photos_touched": len({t for t, r in chosen if r["label"] == "clean"}),
                "shipped": (evidence, asymmetry, outer)
                == (SHIPPED.mirror_evidence, SHIPPED.mirror_asymmetry, SHIPPED.mirror_outer)
                and (spots == "lighter") == SHIPPED.mirror_lighter_spots,
            }
        )
    notes = (
        f"{photos} caltech photos below image_0300, each clean and with two kinds of damage; "
        f"{len(found)} face-core pieces left by the strict face rules (evidence >= "
        f"{min(EVIDENCE)}, frontal faces), {damage_total} of them damage. Each row: a rule "
        "filling the pieces with at least this evidence and mirror asymmetry, lying between "
        f"{INNER} and outer_at_most eye distances from the face's axis, no longer than "
        f"{LONGEST} eye distances (inf: anywhere in the core); spots: any spot, or only spots "
        "lighter than around them (not moles). shipped: ComponentRules' values."
    )
    return rows, notes


if __name__ == "__main__":
    main()

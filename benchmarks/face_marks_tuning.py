"""How the second look's threshold was chosen (``ComponentRules.second_look``): what the damage
stage repairs over heads under each threshold, on the photos its face thresholds were chosen on.

Photos: as ``benchmarks/damage_face_rules.py`` (caltech faces >= image_0300, never trained on,
minus the clean-faces test's 7; toned by the robustness benchmark's renderers; damaged copies
with its independent cracks, brush strokes and craquelure, 3 % coverage). The stage runs once
per picture with the shipped networks; the candidates it judges with the faces are judged again
without the second look and with it at each threshold. Counted inside the heads: clean photos
with any repair, their repaired pixels, the share of the damage repaired and the pixels
repaired off the damage (grown by 1 px).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/face_marks_tuning.py
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import restora  # noqa: E402
import restora.pipeline.stages.detect as detect_stage  # noqa: E402
from _common import command_line, write_table  # noqa: E402
from damage_face_rules import KINDS  # noqa: E402
from face_rules_tuning import _Judged, heads_mask, repair_counts  # noqa: E402
from restora.io.arrays import numpy_to_tensor  # noqa: E402
from restora.ops.damage_components import classify_components, mask_of  # noqa: E402
from robustness.damage import draw_damage  # noqa: E402
from robustness.photos import load_photo, toned_faces, unseen_faces  # noqa: E402
from robustness.tones import TONES  # noqa: E402

THRESHOLDS = (None, 0.85, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97)  # None: no second look


def rejudge(args: tuple, kwargs: dict, truth: np.ndarray | None, shape: tuple[int, int]) -> list:
    """Per threshold: damage pixels in heads, those repaired, and repairs off the damage."""
    heads = heads_mask(kwargs["faces"], *shape)
    look = detect_stage._face_marks()
    out = []
    for threshold in THRESHOLDS:
        rules = kwargs["rules"]
        if threshold is not None:
            rules = dataclasses.replace(rules, second_look=threshold)
        labels, parts = classify_components(
            *args, **{**kwargs, "rules": rules, "second_look": look if threshold else None}
        )
        out.append(repair_counts(mask_of(labels, parts)[0, 0].numpy() > 0.5, truth, heads))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N photos only (0: all)")
    parser.add_argument("--name", default="face_marks_tuning")
    args = parser.parse_args()
    if detect_stage._face_marks() is None:
        sys.exit(f"{detect_stage.FACE_MARKS} is not installed")
    held_for_test = {f.name for f in toned_faces(len(TONES), seed=0)}
    paths = [p for p in unseen_faces() if p.name not in held_for_test][: args.limit or None]
    names = list(TONES)
    judged = _Judged()
    detect_stage.classify_components = judged
    grow = np.ones((3, 3), np.uint8)
    found: dict[str, list[list[dict]]] = {"clean": [], "independent": []}
    try:
        for i, path in enumerate(paths):
            rng = np.random.default_rng([7, i])  # as damage_face_rules.py draws them
            photo = TONES[names[i % len(names)]](load_photo(path), rng)
            damaged = draw_damage(photo, rng, kinds=KINDS, coverage=0.03)
            truth = cv2.dilate(damaged.mask.astype(np.uint8), grow) > 0
            for source, picture, mask in (
                ("clean", photo, None),
                ("independent", damaged.image, truth),
            ):
                judged.call = None
                restora.restore(numpy_to_tensor(picture), stages=["detect_damage"])
                if judged.call is not None:
                    found[source].append(rejudge(*judged.call, mask, picture.shape[:2]))
            print(i, path.name, file=sys.stderr, flush=True)
    finally:
        detect_stage.classify_components = judged._original
    rows = []
    for k, threshold in enumerate(THRESHOLDS):
        damage = sum(r[k]["damage_px"] for r in found["independent"])
        rows.append(
            {
                "second_look": "off" if threshold is None else threshold,
                "clean_photos_touched": sum(r[k]["off_px"] > 0 for r in found["clean"]),
                "clean_px": sum(r[k]["off_px"] for r in found["clean"]),
                "repaired_pct": round(
                    100.0 * sum(r[k]["repaired_px"] for r in found["independent"]) / max(damage, 1),
                    2,
                ),
                "off_px": sum(r[k]["off_px"] for r in found["independent"]),
                "shipped": threshold == detect_stage.RULES.components.second_look,
            }
        )
    notes = (
        f"{len(paths)} caltech photos >= image_0300 (candidates judged with faces on "
        f"{len(found['clean'])} clean and {len(found['independent'])} damaged pictures). "
        "second_look: the threshold on the second look's probability (off: the face rules "
        "alone); clean_photos_touched / clean_px: repairs inside heads of the clean photos; "
        "repaired_pct: share of the damage inside heads repaired; off_px: pixels repaired "
        "inside heads of the damaged photos off the damage (grown by 1 px)."
    )
    print(notes)
    write_table(args.name, rows, command_line(), notes)


if __name__ == "__main__":
    main()

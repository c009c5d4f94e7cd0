"""The damage stage's face rules on faces it never trained on (issue 17.4): what it repairs over
heads on clean photos (should be nothing) and how much of the damage over heads it repairs.

Photos: the caltech faces >= image_0300 (never trained on) minus the 7 that
``tests/pipeline/test_clean_faces.py`` uses, each toned by one of the robustness benchmark's
renderers in turn; damaged copies get cracks, brush strokes and craquelure from its independent
generator (3 % coverage). Heads are the regions the stage itself uses
(:func:`restora.models.face.regions.face_region` of the faces the analysis finds). This is the
set the face thresholds of :class:`restora.ops.damage_components.ComponentRules` were chosen on.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/damage_face_rules.py [--cracks]

``--cracks`` runs the stage with ``detect.cracks`` on (results ``damage_face_rules_cracks``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import restora  # noqa: E402
from _common import command_line, write_table  # noqa: E402
from restora.io.arrays import numpy_to_tensor  # noqa: E402
from restora.models.face.regions import face_region  # noqa: E402
from restora.pipeline.restoration import Restoration  # noqa: E402
from robustness.damage import draw_damage  # noqa: E402
from robustness.photos import load_photo, toned_faces, unseen_faces  # noqa: E402
from robustness.tones import TONES  # noqa: E402

KINDS = ["cracks", "brush", "craquelure"]


def heads_of(out: Restoration, height: int, width: int) -> np.ndarray:
    """Boolean ``(H, W)``: inside any head the stage judged by the face rules."""
    inside = np.zeros((height, width), bool)
    for face in out.analysis.faces or []:
        y0, y1, x0, x1 = face_region(face, height, width).box
        inside[y0:y1, x0:x1] = True
    return inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cracks", action="store_true", help="with detect.cracks on")
    args = parser.parse_args()
    detect = {"cracks": True} if args.cracks else {}
    held_for_test = {f.name for f in toned_faces(len(TONES), seed=0)}
    paths = [p for p in unseen_faces() if p.name not in held_for_test]
    names = list(TONES)
    rows = []
    for i, path in enumerate(paths):
        rng = np.random.default_rng([7, i])
        tone = names[i % len(names)]
        photo = TONES[tone](load_photo(path), rng)
        damaged = draw_damage(photo, rng, kinds=KINDS, coverage=0.03)
        clean_out = restora.restore(numpy_to_tensor(photo), stages=["detect_damage"], detect=detect)
        out = restora.restore(
            numpy_to_tensor(damaged.image), stages=["detect_damage"], detect=detect
        )
        h, w = photo.shape[:2]
        heads = heads_of(out, h, w)
        clean_heads = heads_of(clean_out, h, w)
        clean_fill = clean_out.mask[0, 0].numpy() > 0.5
        repaired = out.mask[0, 0].numpy() > 0.5
        truth = damaged.mask & heads
        rows.append(
            {
                "photo": path.name,
                "tone": tone,
                "heads": len(out.analysis.faces or []),
                "clean_fills_in_heads_px": int((clean_fill & clean_heads).sum()),
                "damage_in_heads_px": int(truth.sum()),
                "repaired_of_it_px": int((repaired & truth).sum()),
                "repaired_elsewhere_in_heads_px": int((repaired & heads & ~damaged.mask).sum()),
            }
        )
        print(rows[-1], file=sys.stderr)
    damage = sum(r["damage_in_heads_px"] for r in rows)
    summary = {
        "photo": f"all ({len(rows)})",
        "tone": "",
        "heads": sum(r["heads"] for r in rows),
        "clean_fills_in_heads_px": sum(r["clean_fills_in_heads_px"] for r in rows),
        "damage_in_heads_px": damage,
        "repaired_of_it_px": sum(r["repaired_of_it_px"] for r in rows),
        "repaired_elsewhere_in_heads_px": sum(r["repaired_elsewhere_in_heads_px"] for r in rows),
    }
    photos_touched = sum(r["clean_fills_in_heads_px"] > 0 for r in rows)
    share = summary["repaired_of_it_px"] / max(damage, 1)
    notes = (
        f"Clean photos with any repair inside a head: {photos_touched} of {len(rows)}. Damage "
        f"pixels over heads repaired: {100 * share:.1f} %. Kinds {', '.join(KINDS)}, coverage 3 %."
    )
    print(notes)
    name = "damage_face_rules_cracks" if args.cracks else "damage_face_rules"
    write_table(
        name,
        [summary, *rows],
        command_line(),
        notes + (" detect.cracks on." if args.cracks else ""),
    )


if __name__ == "__main__":
    main()

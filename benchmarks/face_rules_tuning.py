"""How the damage stage's face thresholds were chosen (``ComponentRules.face_spot_evidence``,
``face_line_evidence``, ``face_line_length``): on faces the held-out checks do not use.

Photos: caltech_faces below ``image_0300`` (the identities the held-out face benchmarks leave
out; the damage networks trained on them), each toned by one of the robustness benchmark's
renderers in turn, three times: clean, with the independent generator's cracks, brush strokes
and craquelure (3 % coverage), and with restora's ``classic`` damage (scratches, dust, hairs; no
aging). For each photo the ``detect_damage`` stage runs once (the shipped networks and face
head); the candidates it judges with the faces are then judged again under each variant of the
three face thresholds (everything else as shipped, mirror evidence included). Counted inside
the heads: clean photos with any repair, damaged pixels repaired (of the generator's mask) and
pixels repaired off the mask (grown by 1 px), per damage source.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/face_rules_tuning.py [--limit N]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
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
from restora.data.damage import DAMAGE_PROFILES, synthesize_damage  # noqa: E402
from restora.io.arrays import numpy_to_tensor  # noqa: E402
from restora.ops.damage_components import classify_components, mask_of  # noqa: E402
from robustness.damage import draw_damage  # noqa: E402
from robustness.photos import load_photo, training_faces  # noqa: E402
from robustness.tones import TONES  # noqa: E402

SPOT_EVIDENCE = (0.7, 0.75, 0.8, 0.85, 0.9)
LINE_EVIDENCE = (0.7, 0.75, 0.8)
LINE_LENGTH = (20.0, 30.0, 40.0, 50.0, 60.0)
SOURCES = ("clean", "independent", "classic")


class _Judged:
    """Keeps the arguments of the stage's last ``classify_components`` call with faces."""

    def __init__(self) -> None:
        self.call: tuple[tuple, dict] | None = None
        self._original = detect_stage.classify_components

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        if kwargs.get("faces"):
            self.call = (args, kwargs)
        return self._original(*args, **kwargs)


def heads_mask(faces: list, height: int, width: int) -> np.ndarray:
    inside = np.zeros((height, width), bool)
    for face in faces:
        y0, y1, x0, x1 = face.box
        inside[y0:y1, x0:x1] = True
    return inside


def variants() -> list[tuple[float, float, float]]:
    return list(itertools.product(SPOT_EVIDENCE, LINE_EVIDENCE, LINE_LENGTH))


def judge(photo: np.ndarray, truth: np.ndarray | None, judged: _Judged) -> list[dict] | None:
    """Per variant, what the face rules would repair inside the heads of ``photo``; None when
    the stage judged no candidate with faces."""
    judged.call = None
    restora.restore(numpy_to_tensor(photo), stages=["detect_damage"])
    if judged.call is None:
        return None
    return rejudge(*judged.call, truth, photo.shape[:2])


def rejudge(
    args: tuple, kwargs: dict, truth: np.ndarray | None, shape: tuple[int, int]
) -> list[dict]:
    """:func:`~restora.ops.damage_components.classify_components` called again with ``args``
    and ``kwargs`` (faces included) under each of :func:`variants`' face thresholds: the
    damage pixels inside the heads (of ``truth``, boolean ``shape``; None: a clean photo),
    those repaired, and the pixels repaired there off the damage."""
    shipped = kwargs["rules"]
    heads = heads_mask(kwargs["faces"], *shape)
    out = []
    for spot, line, length in variants():
        rules = dataclasses.replace(
            shipped, face_spot_evidence=spot, face_line_evidence=line, face_line_length=length
        )
        labels, parts = classify_components(*args, **{**kwargs, "rules": rules})
        out.append(repair_counts(mask_of(labels, parts)[0, 0].numpy() > 0.5, truth, heads))
    return out


def repair_counts(filled: np.ndarray, truth: np.ndarray | None, heads: np.ndarray) -> dict:
    """Inside ``heads`` (boolean ``(H, W)``): the damage pixels (of ``truth``; None: a clean
    photo), those ``filled`` repairs, and the pixels repaired off the damage."""
    off = heads if truth is None else heads & ~truth
    return {
        "damage_px": 0 if truth is None else int((truth & heads).sum()),
        "repaired_px": 0 if truth is None else int((filled & truth & heads).sum()),
        "off_px": int((filled & off).sum()),
    }


def collect(limit: int) -> tuple[dict[str, list[list[dict]]], int]:
    paths = training_faces(limit=limit)
    judged = _Judged()
    detect_stage.classify_components = judged
    classic = dataclasses.replace(DAMAGE_PROFILES["classic"], age=False)
    grow = np.ones((3, 3), np.uint8)
    tones = list(TONES)
    found: dict[str, list[list[dict]]] = {s: [] for s in SOURCES}
    try:
        for i, path in enumerate(paths):
            rng = np.random.default_rng([11, i])
            photo = TONES[tones[i % len(tones)]](load_photo(path), rng)
            drawn = draw_damage(photo, rng, kinds=["cracks", "brush", "craquelure"], coverage=0.03)
            image, mask = synthesize_damage(
                torch.from_numpy(photo).permute(2, 0, 1)[None],
                rng=np.random.default_rng(i),
                config=classic,
            )
            for source, picture, truth in (
                ("clean", photo, None),
                ("independent", drawn.image, drawn.mask),
                ("classic", image[0].permute(1, 2, 0).numpy(), mask[0, 0].numpy() > 0.5),
            ):
                if truth is not None:
                    truth = cv2.dilate(truth.astype(np.uint8), grow) > 0
                rows = judge(picture, truth, judged)
                if rows is not None:
                    found[source].append(rows)
            print(i, path.name, file=sys.stderr, flush=True)
    finally:
        detect_stage.classify_components = judged._original
    return found, len(paths)


def summarize(found: dict[str, list[list[dict]]], photos: int) -> tuple[list[dict], str]:
    shipped = detect_stage.RULES.components
    rows = []
    for k, (spot, line, length) in enumerate(variants()):
        row: dict = {
            "spot_evidence": spot,
            "line_evidence": line,
            "line_length": length,
            "clean_photos_touched": sum(r[k]["off_px"] > 0 for r in found["clean"]),
            "clean_px": sum(r[k]["off_px"] for r in found["clean"]),
        }
        for source in SOURCES[1:]:
            damage = sum(r[k]["damage_px"] for r in found[source])
            repaired = sum(r[k]["repaired_px"] for r in found[source])
            row[f"{source}_repaired_pct"] = round(100.0 * repaired / max(damage, 1), 2)
            row[f"{source}_off_px"] = sum(r[k]["off_px"] for r in found[source])
        row["shipped"] = (spot, line, length) == (
            shipped.face_spot_evidence,
            shipped.face_line_evidence,
            shipped.face_line_length,
        )
        rows.append(row)
    notes = (
        f"{photos} caltech photos below image_0300 (candidates judged with faces on "
        f"{', '.join(f'{len(found[s])} {s}' for s in SOURCES)}). Each row: the face rules with "
        "these thresholds (a spot over a face needs spot_evidence; a line, line_evidence and "
        "line_length px at a 512 px short side), the rest as shipped. clean_photos_touched / "
        "clean_px: repairs inside heads of the clean photos; *_repaired_pct: share of the "
        "damage inside heads repaired; *_off_px: pixels repaired inside heads off the damage "
        "(grown by 1 px). shipped: the stage's values."
    )
    return rows, notes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N photos only (0: all)")
    parser.add_argument("--name", default="face_rules_tuning")
    args = parser.parse_args()
    found, photos = collect(args.limit)
    rows, notes = summarize(found, photos)
    print(notes)
    write_table(args.name, rows, command_line(), notes)


if __name__ == "__main__":
    main()

"""Choose the damage detector's post-processing on the robustness benchmark's *selection* split.

The network's probability map is computed once per case (clean and damaged scan of every tone x
condition cell, as ``damage_robustness.py`` renders them) and cached; then every candidate
setting of :func:`restora.ops.damage_components.refine_detection` (thresholds, hysteresis, the
contour and blob rules) is scored on the cached maps, side by side with the classical detector.
Only the selection split (BSDS500 test [100:200]) is used here: the report split stays unseen
until the chosen setting is measured by ``damage_robustness.py --split report``.

Run: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/damage_tuning.py --model FOLDER
--per-cell 3``; writes ``benchmarks/results/damage_tuning.md`` / ``.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from _common import command_line
from restora.io.arrays import numpy_to_tensor
from restora.io.atomic import atomic_write_text
from restora.ops.damage import detect_damage_classical
from restora.ops.damage_components import ComponentRules, DetectionRules, refine_detection
from robustness.conditions import CONDITIONS
from robustness.evaluate import CellScore, case_seed, render_case
from robustness.photos import load_photo, split_photos
from robustness.tones import TONES

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path("/tmp/restora_damage_tuning")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def probability_fn(folder: Path, views: int):
    """The saved network in ``folder`` run as the pipeline runs the shipped detector."""
    from restora.models import catalogue, load_model
    from restora.pipeline.stages.detect import learned_probability

    network = catalogue.prepare(load_model(folder), "damage.unet")
    return lambda image: learned_probability(image, views=views, network=network)


def cases(per_cell: int):
    paths = split_photos("selection")
    all_cells = [(t, c) for t in TONES for c in CONDITIONS]
    for k, (tone, condition) in enumerate(all_cells):
        for j in range(per_cell):
            index = (k * per_cell + j) % len(paths)
            seed = case_seed("selection", index, tone, condition)
            yield (
                tone,
                condition,
                index,
                lambda p=paths[index], t=tone, c=condition, s=seed: render_case(
                    load_photo(p), t, c, s
                ),
            )


def cached_maps(model: Path, views: int, per_cell: int) -> list[dict]:
    """Per case: tone, condition, truth mask, classical masks and network probabilities."""
    key = hashlib.sha256(
        (model / "model.safetensors").read_bytes() + f"{views}-{per_cell}".encode()
    ).hexdigest()[:16]
    folder = CACHE / key
    folder.mkdir(parents=True, exist_ok=True)
    probability = None
    out = []
    start = time.perf_counter()
    for n, (tone, condition, index, render) in enumerate(cases(per_cell)):
        path = folder / f"{tone}_{condition}_{index}.npz"
        if not path.is_file():
            probability = probability or probability_fn(model, views)
            case = render()
            maps = {}
            for which, image in (("clean", case.clean), ("damaged", case.damaged)):
                tensor = numpy_to_tensor(image)
                maps[f"{which}_p"] = probability(tensor)[0, 0].numpy().astype(np.float16)
                maps[f"{which}_classical"] = detect_damage_classical(tensor)[0, 0].numpy() > 0.5
                maps[f"{which}_image"] = (image * 255).round().astype(np.uint8)
            np.savez_compressed(path, mask=case.mask, labels=case.labels, **maps)
            log(f"[{n + 1}] {tone} x {condition} #{index} ({time.perf_counter() - start:.0f} s)")
        out.append({"tone": tone, "condition": condition, "path": path})
    return out


def score(entries: list[dict], rules: DetectionRules | None) -> dict:
    """Cell scores of ``rules`` (None = the classical detector) over the cached cases."""
    cells: dict[tuple[str, str], CellScore] = {}
    for entry in entries:
        data = np.load(entry["path"])
        cell = cells.setdefault((entry["tone"], entry["condition"]), CellScore())
        for which in ("clean", "damaged"):
            if rules is None:
                flagged = data[f"{which}_classical"]
            else:
                image = numpy_to_tensor(data[f"{which}_image"])
                p = torch.from_numpy(data[f"{which}_p"].astype(np.float32))[None, None]
                flagged = refine_detection(p, image, rules=rules)[0, 0].numpy() > 0.5
            if which == "clean":
                cell.add_clean(flagged)
            else:
                cell.add_damaged(flagged, data["mask"], data["labels"])
    return {key: cell.summary() for key, cell in cells.items()}


def verdict(summaries: dict, classical: dict) -> dict:
    fp_ok = [s["fp_median_pct"] <= 0.3 and s["fp_p95_pct"] <= 1.5 for s in summaries.values()]
    iou = [s["iou_pooled"] for s in summaries.values()]
    beats = [summaries[k]["iou_pooled"] >= classical[k]["iou_pooled"] for k in summaries]
    return {
        "cells_fp_ok": sum(fp_ok),
        "cells_iou_0.6": sum(v >= 0.6 for v in iou),
        "cells_beat_classical": sum(beats),
        "cells": len(iou),
        "median_fp_pct": float(np.median([s["fp_median_pct"] for s in summaries.values()])),
        "worst_fp_p95_pct": float(max(s["fp_p95_pct"] for s in summaries.values())),
        "mean_iou": float(np.mean(iou)),
        "worst_iou": float(min(iou)),
        "recall_2px": float(np.mean([s["recall_2px"] for s in summaries.values()])),
    }


def candidates(args: argparse.Namespace) -> list[DetectionRules]:
    out = []
    for high, low, contour, blob in itertools.product(args.high, args.low, args.contour, args.blob):
        if low <= high:
            components = ComponentRules(blob_evidence=blob)
            out.append(DetectionRules(high=high, low=low, contour=contour, components=components))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="saved damage network folder")
    parser.add_argument("--views", type=int, default=4)
    parser.add_argument("--per-cell", type=int, default=3)
    parser.add_argument("--high", type=float, nargs="+", default=[0.5, 0.7, 0.85])
    parser.add_argument("--low", type=float, nargs="+", default=[0.35, 0.5])
    parser.add_argument("--contour", type=float, nargs="+", default=[1.0, 0.5])
    parser.add_argument("--blob", type=float, nargs="+", default=[0.0, 0.8])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default="damage_tuning")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    entries = cached_maps(args.model, args.views, args.per_cell)
    classical = score(entries, None)
    rows = [{"setting": "classical", **verdict(classical, classical)}]
    for rules in candidates(args):
        row = {"setting": rules.label(), **verdict(score(entries, rules), classical)}
        rows.append(row)
        log(json.dumps(row))
    command = command_line()
    columns = list(rows[0])
    lines = [
        f"# {args.name}: post-processing chosen on the selection split",
        "",
        "```",
        command,
        "```",
        "",
        f"Model `{args.model}`, {args.views} views, {args.per_cell} photos per cell (49 cells).",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values())
            + " |"
        )
    RESULTS.mkdir(exist_ok=True)
    atomic_write_text(RESULTS / f"{args.name}.md", "\n".join(lines) + "\n")
    payload = {"command": command, "model": str(args.model), "rows": rows}
    atomic_write_text(RESULTS / f"{args.name}.json", json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()

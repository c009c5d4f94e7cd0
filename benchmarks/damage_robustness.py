"""Damage detectors on photos, tones, scan conditions and damage that restora never trained on.

Every tone x condition cell (``benchmarks/robustness``: 7 print tones, 7 scan conditions) gets
``--per-cell`` photos of the split (cell k takes photos ``k*N .. k*N+N-1`` of the list, wrapping
around), each resampled to a long side drawn log-uniformly in 300-1200 px (Lanczos when
enlarged) and rendered twice from one seed (split, photo index, tone, condition): the clean
print and the print with damage from the independent generator, both scanned under the
condition with identical draws. Per cell and detector: the percentage of pixels flagged on the
clean scans (median, 95th percentile) and, on the damaged scans, pooled IoU (sum of
intersections / sum of unions), mean per-photo IoU, precision and recall, and recall per
damage kind. A size sweep renders a few photos at long sides 300, 1000, 2500 and 6000 px
(tones in turn, ``clean`` condition).

Detectors map an image ``(1, 3, H, W)`` float32 in [0, 1] to a mask ``(1, 1, H, W)`` in {0, 1}.
Built in (``DETECTORS``, name -> factory; add yours there): ``classical``
(``restora.ops.damage.detect_damage_classical``), ``learned`` (the shipped network as the
pipeline runs it: ``learned_probability(image, views=...) > 0.5``, views ``--views``: ``auto``
like ``restora restore``, or 1/2/4), ``default`` (exactly what ``restora restore`` repairs: the
``detect_damage`` stage with hysteresis, the contour rule, per-component and face decisions),
``single_scale`` (the same with ``detect.pyramid = false``: the network at full size only),
``--unet FOLDER`` for any saved model folder (run as ``learned_probability`` runs the shipped
one, threshold 0.5; named ``unet:<folder name>``) and ``--pipeline-with FOLDER`` (that network
in the ``default`` detector; named ``default:<folder name>``).

Run: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/damage_robustness.py --split
selection --per-cell 4 --detectors classical learned``; results go to
``benchmarks/results/damage_robustness.md`` / ``.json`` (``--name`` to change).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from _common import command_line, network_folder
from restora.io.arrays import numpy_to_tensor
from restora.io.atomic import atomic_write_bytes, atomic_write_text
from robustness.conditions import CONDITIONS
from robustness.damage import KIND_NAMES
from robustness.evaluate import Case, CellScore, case_seed, render_case
from robustness.photos import (
    LONG_SIDE_RANGE,
    SIZE_SWEEP,
    SPLITS,
    load_photo,
    may_commit_pictures,
    photo_source,
    split_photos,
)
from robustness.tones import TONES

RESULTS = Path(__file__).resolve().parent / "results"
Detector = Callable[[torch.Tensor], torch.Tensor]  # (1,3,H,W) [0,1] -> (1,1,H,W) {0,1}

# Acceptance targets of issue 17 (per tone x condition cell).
FP_MEDIAN_MAX = 0.3  # percent of pixels flagged on clean photos, median
FP_P95_MAX = 1.5  # ... 95th percentile
IOU_MIN = 0.6  # pooled IoU on independent damage


def _catalogue():
    """``restora.models.catalogue`` where this restora has it (None before the catalogue)."""
    try:
        from restora.models import catalogue
    except ImportError:
        return None
    return catalogue


def _auto_views(network, image: torch.Tensor) -> int:
    """The pipeline's ``views = auto`` for this image size."""
    if network is not None:
        return network.auto_views(*image.shape[-2:])
    from restora.models.segmentation.damage import auto_views  # restora before the catalogue

    return auto_views(*image.shape[-2:])


def classical_factory(args: argparse.Namespace) -> Detector:
    from restora.ops.damage import detect_damage_classical

    return lambda image: detect_damage_classical(image)


def learned_factory(args: argparse.Namespace) -> Detector:
    """The shipped network exactly as ``restora restore`` runs it (threshold 0.5)."""
    from restora.pipeline.stages.detect import learned_probability

    catalogue = _catalogue()
    if catalogue is not None:
        if not catalogue.installed("damage.unet"):
            sys.exit("learned: restora's damage network (damage.unet) is not installed")
        network = catalogue.load("damage.unet")
    else:
        from restora.models.segmentation.damage import has_pretrained

        if not has_pretrained():
            sys.exit("learned: restora's damage network weights are not installed")
        network = None

    def detect(image: torch.Tensor) -> torch.Tensor:
        views = _auto_views(network, image) if args.views == "auto" else int(args.views)
        return (learned_probability(image, views=views) > 0.5).float()

    return detect


def unet_detector(folder: Path, views: str) -> Detector:
    """A saved model folder (or a checkpoint's ``ema`` / ``model`` sub-folder) run the way the
    pipeline runs the shipped network: ``catalogue.prepare(model, "damage.unet")`` through
    ``learned_probability`` (same inference form, tiling and views), threshold 0.5."""
    from restora.models import load_model
    from restora.pipeline.stages.detect import learned_probability

    source = network_folder(folder)
    catalogue = _catalogue()
    if catalogue is None:
        sys.exit("--unet needs restora.models.catalogue (restora with the model catalogue)")
    network = catalogue.prepare(load_model(source), "damage.unet")

    def detect(image: torch.Tensor) -> torch.Tensor:
        n = _auto_views(network, image) if views == "auto" else int(views)
        return (learned_probability(image, views=n, network=network) > 0.5).float()

    return detect


def pipeline_detector(
    folder: Path | None = None,
    views: str = "auto",
    thresholds: tuple[float, ...] = (),
    pyramid: bool = True,
    cracks: bool = False,
) -> Detector:
    """What ``restora restore`` repairs: the ``detect_damage`` stage with its defaults (the
    network's probability, hysteresis, contour rule, per-component decisions and the face
    rules), optionally with another saved network (``folder``) in the shipped one's place,
    other ``thresholds`` (high, low, contour) in place of the stage's ``RULES``,
    ``detect.pyramid`` off and ``detect.cracks`` on."""
    from dataclasses import replace

    import restora
    from restora.pipeline.stages import detect as stage

    network = None
    if folder is not None:
        from restora.models import catalogue, load_model

        network = catalogue.prepare(load_model(network_folder(folder)), stage.NETWORK)
    options: dict = {"method": "learned", "pyramid": pyramid, "cracks": cracks}
    if views != "auto":
        options["views"] = int(views)

    rules = stage.RULES
    if thresholds:
        rules = replace(rules, **dict(zip(("high", "low", "contour"), thresholds, strict=False)))

    def detect(image: torch.Tensor) -> torch.Tensor:
        shipped, shipped_rules = stage._network, stage.RULES
        if network is not None:
            stage._network = lambda: network
        stage.RULES = rules
        try:
            out = restora.restore(image, stages=["detect_damage"], detect=options)
        finally:
            stage._network, stage.RULES = shipped, shipped_rules
        return out.mask

    return detect


def default_factory(args: argparse.Namespace) -> Detector:
    return pipeline_detector(None, args.views)


def single_scale_factory(args: argparse.Namespace) -> Detector:
    return pipeline_detector(None, args.views, pyramid=False)


def cracks_factory(args: argparse.Namespace) -> Detector:
    return pipeline_detector(None, args.views, cracks=True)


DETECTORS: dict[str, Callable[[argparse.Namespace], Detector]] = {
    "classical": classical_factory,
    "learned": learned_factory,
    "default": default_factory,
    "single_scale": single_scale_factory,
    "cracks": cracks_factory,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_detector(detector: Detector, image: np.ndarray) -> tuple[np.ndarray, float]:
    """The detector's mask ``(H, W)`` bool for an ``(H, W, 3)`` image, and its wall seconds."""
    tensor = numpy_to_tensor(image)
    start = time.perf_counter()
    out = detector(tensor)
    seconds = time.perf_counter() - start
    if out.shape != (1, 1, *image.shape[:2]):
        raise ValueError(f"detector returned {tuple(out.shape)}, expected (1, 1, H, W)")
    return out[0, 0].numpy() > 0.5, seconds


def overlay(case: Case, masks: dict[str, np.ndarray], path: Path, side: int = 260) -> None:
    """A JPEG of panels: the damaged scan, the truth, then each detector's mask (red over the
    scan, in the order of ``masks``)."""

    def red(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = image.copy()
        out[mask] = 0.35 * out[mask] + 0.65 * np.array([1.0, 0, 0], np.float32)
        return out

    panels = [case.damaged, red(case.damaged, case.mask)]
    panels += [red(case.damaged, m) for m in masks.values()]
    h, w = case.damaged.shape[:2]
    factor = side / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    small = [cv2.resize(p, size, interpolation=cv2.INTER_AREA) for p in panels]
    gap = np.ones((size[1], 6, 3), np.float32)
    row = np.concatenate([x for p in small for x in (p, gap)][:-1], axis=1)
    buffer = io.BytesIO()
    Image.fromarray(np.rint(np.clip(row, 0, 1) * 255).astype(np.uint8)).save(
        buffer, "JPEG", quality=75, optimize=True
    )
    atomic_write_bytes(path, buffer.getvalue())


def evaluate_grid(
    args: argparse.Namespace, detectors: dict[str, Detector], paths: list[Path]
) -> tuple[list[dict], dict[str, float], dict[str, list[float]]]:
    """Score every requested tone x condition cell; return rows, timings and per-detector
    [seconds, megapixels] totals."""
    all_cells = [(t, c) for t in TONES for c in CONDITIONS]
    cells = [(t, c) for t, c in all_cells if t in args.tones and c in args.conditions]
    rows, render_s = [], 0.0
    runtime = {name: [0.0, 0.0] for name in detectors}
    overlays_left = args.overlay_count if args.overlays else 0
    start = time.perf_counter()
    for done, (tone, condition) in enumerate(cells, start=1):
        k = all_cells.index((tone, condition))
        scores = {name: CellScore() for name in detectors}
        sizes, damaged_area = [], []
        for j in range(args.per_cell):
            index = (k * args.per_cell + j) % len(paths)
            t0 = time.perf_counter()
            case = render_case(
                load_photo(paths[index]),
                tone,
                condition,
                case_seed(args.split, index, tone, condition),
                size_range=args.size_range,
            )
            render_s += time.perf_counter() - t0
            sizes.append(max(case.clean.shape[:2]))
            damaged_area.append(100 * float(case.mask.mean()))
            found = {}
            for name, detector in detectors.items():
                flagged, sec_clean = run_detector(detector, case.clean)
                scores[name].add_clean(flagged)
                found[name], sec_damaged = run_detector(detector, case.damaged)
                scores[name].add_damaged(found[name], case.mask, case.labels)
                runtime[name][0] += sec_clean + sec_damaged
                runtime[name][1] += 2 * case.clean.shape[0] * case.clean.shape[1] / 1e6
            diagonal = list(TONES).index(tone) % len(CONDITIONS) == list(CONDITIONS).index(
                condition
            )  # one overlay per tone, each under another condition
            if overlays_left > 0 and diagonal and j == 0 and may_commit_pictures(paths[index]):
                overlays_left -= 1
                target = Path(args.overlays) / f"{tone}_{condition}_{paths[index].stem}.jpg"
                overlay(case, found, target)
        for name, score in scores.items():
            row = {"tone": tone, "condition": condition, "detector": name}
            row.update(score.summary())
            row["damage_pct_mean"] = float(np.mean(damaged_area))
            row["long_sides"] = f"{min(sizes)}-{max(sizes)}"
            rows.append(row)
        elapsed = time.perf_counter() - start
        eta = elapsed / done * (len(cells) - done)
        brief = "  ".join(
            f"{r['detector']}: fp {r['fp_median_pct']:.2f}/{r['fp_p95_pct']:.2f}% "
            f"iou {r['iou_pooled']:.2f}"
            for r in rows[-len(detectors) :]
        )
        log(
            f"[{done}/{len(cells)}] {tone} x {condition} (long sides {min(sizes)}-{max(sizes)})  "
            f"{brief}  elapsed {elapsed / 60:.1f} min, eta {eta / 60:.1f} min"
        )
    return rows, {"render_s": render_s, "grid_s": time.perf_counter() - start}, runtime


def size_sweep(
    args: argparse.Namespace, detectors: dict[str, Detector], paths: list[Path]
) -> list[dict]:
    """Clean FP and damaged IoU per long side (tones in turn, ``clean`` condition)."""
    rows, offset = [], 0
    tones = list(TONES)
    for side in args.sweep:
        count = SIZE_SWEEP.get(side, 2)
        scores = {name: CellScore() for name in detectors}
        seconds = dict.fromkeys(detectors, 0.0)
        t0 = time.perf_counter()
        megapixels = 0.0
        for j in range(count):
            index = (offset + j) % len(paths)
            tone = tones[(offset + j) % len(tones)]
            seed = case_seed(f"{args.split}-size", index, tone, "clean")
            case = render_case(load_photo(paths[index]), tone, "clean", seed, long_side=side)
            megapixels += case.clean.shape[0] * case.clean.shape[1] / 1e6
            for name, detector in detectors.items():
                flagged, a = run_detector(detector, case.clean)
                scores[name].add_clean(flagged)
                flagged, b = run_detector(detector, case.damaged)
                scores[name].add_damaged(flagged, case.mask, case.labels)
                seconds[name] += a + b
            log(f"size {side}: photo {j + 1}/{count} ({tone}) {time.perf_counter() - t0:.0f} s")
        offset += count
        for name, score in scores.items():
            summary = score.summary()
            rows.append(
                {
                    "long_side": side,
                    "photos": count,
                    "detector": name,
                    "fp_median_pct": summary["fp_median_pct"],
                    "fp_max_pct": summary["fp_max_pct"],
                    "iou_pooled": summary["iou_pooled"],
                    "recall_pooled": summary["recall_pooled"],
                    "precision_pooled": summary["precision_pooled"],
                    "seconds_per_mp": seconds[name] / (2 * megapixels),
                }
            )
    return rows


def verdicts(rows: list[dict], detectors: list[str]) -> None:
    """Add pass/fail of the acceptance targets to each cell row (in place)."""
    classical = {
        (r["tone"], r["condition"]): r["iou_pooled"] for r in rows if r["detector"] == "classical"
    }
    for row in rows:
        ref = classical.get((row["tone"], row["condition"]))
        row["pass_fp"] = row["fp_median_pct"] <= FP_MEDIAN_MAX and row["fp_p95_pct"] <= FP_P95_MAX
        row["pass_iou"] = row["iou_pooled"] >= IOU_MIN
        row["ge_classical"] = None if ref is None else row["iou_pooled"] >= ref
        row["pass"] = row["pass_fp"] and row["pass_iou"] and row["ge_classical"] is not False


def fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    return str(value)


def table(rows: list[dict], columns: list[tuple[str, str]], digits: int = 3) -> list[str]:
    lines = [
        "| " + " | ".join(title for _, title in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(fmt(row.get(key), digits) for key, _ in columns) + " |")
    return lines


def summarise(rows: list[dict], key: str, detectors: list[str]) -> list[dict]:
    """Mean over cells of the cell metrics, grouped by ``key`` (tone or condition)."""
    out = []
    for value in dict.fromkeys(r[key] for r in rows):
        for name in detectors:
            group = [r for r in rows if r[key] == value and r["detector"] == name]
            out.append(
                {
                    key: value,
                    "detector": name,
                    "cells": len(group),
                    "fp_median_pct": float(np.median([r["fp_median_pct"] for r in group])),
                    "fp_p95_worst": max(r["fp_p95_pct"] for r in group),
                    "iou_pooled_mean": float(np.mean([r["iou_pooled"] for r in group])),
                    "iou_pooled_min": min(r["iou_pooled"] for r in group),
                    "passing": sum(bool(r["pass"]) for r in group),
                }
            )
    return out


def kinds_table(rows: list[dict], detectors: list[str]) -> list[dict]:
    """Mean over cells of the per-kind recall (cells where the kind was drawn)."""
    out = []
    for kind in KIND_NAMES:
        row = {"kind": kind}
        for name in detectors:
            values = [
                r[f"recall_{kind}"]
                for r in rows
                if r["detector"] == name and r[f"recall_{kind}"] is not None
            ]
            row[name] = float(np.mean(values)) if values else None
            row["cells"] = len(values)
        out.append(row)
    return out


def write_results(
    args: argparse.Namespace,
    command: str,
    rows: list[dict],
    sweep: list[dict],
    timing: dict,
    runtime: dict[str, list[float]],
    paths: list[Path],
) -> None:
    names = list(dict.fromkeys(r["detector"] for r in rows))
    env = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "machine": f"{platform.system()} {platform.machine()}",
        "threads": args.threads,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    sources = sorted({photo_source(p) for p in paths})
    lines = [
        "# damage_robustness",
        "",
        "Damage detectors on photos, print tones, scan conditions and damage that restora never",
        "trained on (renderers in `benchmarks/robustness/`, written independently of",
        "`restora.data`). Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        f"Split `{args.split}`: {len(paths)} photos ({', '.join(sources)}); {args.per_cell} per "
        f"cell, long side log-uniform in {args.size_range[0]}-{args.size_range[1]} px (Lanczos "
        "when enlarged). Each photo is rendered clean and damaged from one seed; clean false "
        "positives = % of pixels flagged on the clean scan; IoU pooled = sum of intersections / "
        "sum of unions over the cell's damaged scans. Damage mask = pixels whose RGB changed by "
        "more than 0.08 (before the scan condition); damaged area per photo drawn log-uniformly "
        "in 1-10 % (15 % of photos 10-18 %).",
        "",
        f"Detectors: {', '.join(names)}. `learned` = restora's shipped network through "
        f"`learned_probability` thresholded at 0.5, views `{args.views}`"
        + (
            " (the pipeline's default: 4 up to 4 MP, 2 up to 8 MP, 1 above)"
            if args.views == "auto"
            else ""
        )
        + "; `classical` = `detect_damage_classical` at sensitivity 0.5.",
        "",
        "## Acceptance (issue 17, per tone x condition cell)",
        "",
        f"Clean false positives median <= {FP_MEDIAN_MAX} % and 95th percentile <= {FP_P95_MAX} %; "
        f"pooled IoU >= {IOU_MIN} and >= the classical detector's in the same cell. With "
        f"{args.per_cell} photos per cell the 95th percentile is close to the worst photo.",
        "",
    ]
    summary = []
    for name in names:
        mine = [r for r in rows if r["detector"] == name]
        summary.append(
            {
                "detector": name,
                "cells": len(mine),
                "fp_ok": sum(r["pass_fp"] for r in mine),
                "iou_ok": sum(r["pass_iou"] for r in mine),
                "ge_classical": sum(r["ge_classical"] is not False for r in mine),
                "all": sum(r["pass"] for r in mine),
                "fp_median_of_medians": float(np.median([r["fp_median_pct"] for r in mine])),
                "iou_mean": float(np.mean([r["iou_pooled"] for r in mine])),
                "iou_min": min(r["iou_pooled"] for r in mine),
            }
        )
    lines += table(
        summary,
        [
            ("detector", "detector"),
            ("cells", "cells"),
            ("fp_ok", "cells FP ok"),
            ("iou_ok", "cells IoU >= 0.6"),
            ("ge_classical", "cells IoU >= classical"),
            ("all", "cells passing all"),
            ("fp_median_of_medians", "median FP % (of cell medians)"),
            ("iou_mean", "mean cell IoU"),
            ("iou_min", "worst cell IoU"),
        ],
    )
    cell_columns = [
        ("tone", "tone"),
        ("condition", "condition"),
        ("detector", "detector"),
        ("fp_median_pct", "FP median %"),
        ("fp_p95_pct", "FP p95 %"),
        ("iou_pooled", "IoU pooled"),
        ("iou_mean", "IoU mean"),
        ("precision_mean", "precision"),
        ("recall_mean", "recall"),
        ("recall_2px", "recall 2 px"),
        ("precision_2px", "precision 2 px"),
        ("pass_fp", "FP"),
        ("pass_iou", "IoU"),
        ("ge_classical", ">= classical"),
        ("damage_pct_mean", "damaged %"),
    ]
    lines += ["", "## By tone (over its conditions)", ""]
    columns = [
        ("tone", "tone"),
        ("detector", "detector"),
        ("fp_median_pct", "median of FP medians %"),
        ("fp_p95_worst", "worst FP p95 %"),
        ("iou_pooled_mean", "mean IoU"),
        ("iou_pooled_min", "worst IoU"),
        ("passing", "cells passing"),
    ]
    lines += table(summarise(rows, "tone", names), columns)
    lines += ["", "## By condition (over its tones)", ""]
    columns[0] = ("condition", "condition")
    lines += table(summarise(rows, "condition", names), columns)
    lines += ["", "## Recall per damage kind (mean over cells where the kind was drawn)", ""]
    lines += table(
        kinds_table(rows, names), [("kind", "kind"), ("cells", "cells")] + [(n, n) for n in names]
    )
    lines += ["", "## Every cell", ""]
    lines += table(rows, cell_columns)
    if sweep:
        lines += [
            "",
            "## Size sweep (tones in turn, `clean` condition; photos enlarged with Lanczos where "
            "the original is smaller, so large sizes are softer than real scans)",
            "",
        ]
        lines += table(
            sweep,
            [
                ("long_side", "long side px"),
                ("photos", "photos"),
                ("detector", "detector"),
                ("fp_median_pct", "FP median %"),
                ("fp_max_pct", "FP max %"),
                ("iou_pooled", "IoU pooled"),
                ("precision_pooled", "precision"),
                ("recall_pooled", "recall"),
                ("seconds_per_mp", "s / MP"),
            ],
        )
    if args.overlays:
        lines += [
            "",
            f"Overlays in `{args.overlays}` (one photo per tone, each under another condition; "
            f"panels: damaged scan | truth | {' | '.join(names)}, flagged pixels in red).",
        ]
    lines += ["", "## Timings", ""]
    lines.append(
        f"Total {timing['total_s'] / 60:.1f} min wall ({args.threads} thread(s), shared machine): "
        f"grid {timing['grid_s'] / 60:.1f} min (of which rendering {timing['render_s'] / 60:.1f} "
        f"min), size sweep {timing.get('sweep_s', 0) / 60:.1f} min."
    )
    for name, (seconds, mp) in runtime.items():
        if mp:
            lines.append(f"- {name}: {seconds / mp:.2f} s per megapixel on the grid ({mp:.1f} MP)")
    lines += ["", "Environment: " + ", ".join(f"{k} {v}" for k, v in env.items()), ""]
    payload = {
        "name": args.name,
        "command": command,
        "split": args.split,
        "photos": [str(p.name) for p in paths],
        "per_cell": args.per_cell,
        "targets": {"fp_median_pct": FP_MEDIAN_MAX, "fp_p95_pct": FP_P95_MAX, "iou": IOU_MIN},
        "summary": summary,
        "cells": rows,
        "size_sweep": sweep,
        "timing": {
            **timing,
            "detectors": {k: {"seconds": v[0], "megapixels": v[1]} for k, v in runtime.items()},
        },
        "environment": env,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS / f"{args.name}.md", "\n".join(lines))
    atomic_write_text(RESULTS / f"{args.name}.json", json.dumps(payload, indent=1) + "\n")
    log(f"wrote {RESULTS / args.name}.md and .json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="selection")
    parser.add_argument("--per-cell", type=int, default=8, help="photos per tone x condition cell")
    parser.add_argument("--tones", nargs="+", choices=list(TONES), default=list(TONES))
    parser.add_argument(
        "--conditions", nargs="+", choices=list(CONDITIONS), default=list(CONDITIONS)
    )
    parser.add_argument(
        "--detectors", nargs="*", choices=list(DETECTORS), default=["classical", "learned"]
    )
    parser.add_argument("--unet", nargs="*", default=[], help="saved model folders to add")
    parser.add_argument(
        "--pipeline-with",
        nargs="*",
        default=[],
        help="saved model folders run through the detect_damage stage in the shipped one's place",
    )
    parser.add_argument(
        "--views", default="auto", choices=["auto", "1", "2", "4"], help="mirror views of networks"
    )
    parser.add_argument(
        "--sweep",
        type=int,
        nargs="*",
        default=list(SIZE_SWEEP),
        help="long sides of the size sweep (none: skip it)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 photo per cell, long sides 300-500 px, sweep 300 only",
    )
    parser.add_argument("--overlays", default=None, help="folder for side-by-side JPEG overlays")
    parser.add_argument("--overlay-count", type=int, default=8)
    parser.add_argument("--name", default="damage_robustness", help="results file name")
    args = parser.parse_args(argv)
    args.size_range = LONG_SIDE_RANGE
    if args.quick:
        args.per_cell, args.size_range, args.sweep = 1, (300, 500), [300]
    if args.per_cell < 1:
        parser.error("--per-cell must be >= 1")
    if not args.detectors and not args.unet and not args.pipeline_with:
        parser.error("no detector chosen")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = command_line()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    paths = split_photos(args.split)
    detectors = {name: DETECTORS[name](args) for name in args.detectors}
    for folder in args.unet:
        detectors[f"unet:{Path(folder).name}"] = unet_detector(Path(folder), args.views)
    for folder in args.pipeline_with:
        detectors[f"default:{Path(folder).name}"] = pipeline_detector(Path(folder), args.views)
    start = time.perf_counter()
    rows, timing, runtime = evaluate_grid(args, detectors, paths)
    verdicts(rows, list(detectors))
    t0 = time.perf_counter()
    sweep = size_sweep(args, detectors, paths) if args.sweep else []
    timing["sweep_s"] = time.perf_counter() - t0
    timing["total_s"] = time.perf_counter() - start
    write_results(args, command, rows, sweep, timing, runtime, paths)


if __name__ == "__main__":
    main()

"""Learned damage detectors (plain U-Net, ASPP U-Net) against the classical detector.

Held-out synthetic set: the first 50 BSDS500 *test* photos (sorted names; the models train on
BSDS500 train + the ImageNet sample and never see BSDS500 test), with seed ``1000 + index``::

    rng = numpy.random.default_rng(seed)
    damaged, mask = synthesize_damage(photo, rng=rng, config=DAMAGE_PROFILES["full"])

(aged: sepia, fade, grain, blur; 40 % paper texture, 10 % halftone; damage of every kind:
thin/wide/curved scratches, hairs, dust, creases, tears, stains, ink). ``--classic`` also scores
the ``classic`` profile (scratches, hairs, dust: the set of ``benchmarks/damage_classical.py``).

False positives: Set14 and CBSD68, each photo aged with ``age_photo(photo, rng=default_rng(2000
+ index))`` (sepia, fade, grain, blur; no damage): every flagged pixel is a false alarm.

Per kind (``--per-kind N``): the first N of those photos and seeds, one kind of damage drawn at a
time (aging and print surface as in ``full``); pooled recall and IoU per method.

Real scans: ``../shared/data/old_photos/old`` (no ground truth): flagged area per method, and
overlays of the chosen model's mask in ``results/damage_overlays/`` (red = flagged).

Learned models threshold the sigmoid at 0.5 (``--thresholds`` adds a sweep); ``--views 2 4``
adds each network with its logits averaged over 2 views (the photo and its left-right mirror,
``*_v2``) or 4 (also the up-down mirror and both, ``*_v4``; what the pipeline's ``auto`` uses up
to 4 MP). Times are wall seconds per megapixel with ``--threads`` threads on a shared
machine (other jobs running).

Run: ``.venv/bin/python benchmarks/damage_seg.py --unet DIR --aspp DIR`` where DIR is a
``save_model`` folder (``config.json`` + ``model.safetensors``) or a training checkpoint
``step_N`` folder (its EMA weights are used when present).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from _common import RESULTS, command_line, shared_path, write_table
from restora.data.aging import age_photo
from restora.data.damage import DAMAGE_PROFILES, NO_DAMAGE, synthesize_damage
from restora.io.arrays import numpy_to_tensor
from restora.metrics.segmentation import dice, iou, precision_recall
from restora.models import load_model
from restora.models.catalogue import prepare
from restora.ops.damage import detect_damage_classical

COUNT = 50
SEED = 1000
FP_SEED = 2000
PER_KIND = {
    "scratches": (3, 5),
    "curved_scratches": (2, 4),
    "hairs": (2, 4),
    "dust": (10, 50),
    "wide_scratches": (1, 2),
    "creases": (1, 1),
    "tears": (1, 1),
    "stains": (1, 2),
    "ink": (1, 2),
}

Detector = Callable[[torch.Tensor], torch.Tensor]  # image (1,3,H,W) -> score map (1,1,H,W)


def load(path: Path) -> torch.Tensor:
    return numpy_to_tensor(np.asarray(Image.open(path).convert("RGB")))


def load_detector(source: Path, views: int = 1) -> tuple[torch.nn.Module, Detector]:
    folder = source
    if (source / "ema" / "config.json").is_file():
        folder = source / "ema"
    elif (source / "model" / "config.json").is_file():
        folder = source / "model"
    model = load_model(folder).eval()
    return model, as_detector(model, views)


def as_detector(model: torch.nn.Module, views: int = 1) -> Detector:
    network = prepare(model, "damage.unet")  # run as the pipeline runs the shipped detector

    def run(image: torch.Tensor) -> torch.Tensor:
        return network(image, views=views)

    return run


def classical(image: torch.Tensor) -> torch.Tensor:
    return detect_damage_classical(image)


def scores(pred: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    precision, recall = precision_recall(pred, target)
    return {
        "iou": iou(pred, target).item(),
        "dice": dice(pred, target).item(),
        "precision": precision.item(),
        "recall": recall.item(),
    }


def synthetic_set(paths: list[Path], profile: str) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    cases = []
    for index, path in enumerate(paths):
        rng = np.random.default_rng(SEED + index)
        damaged, mask = synthesize_damage(load(path), rng=rng, config=DAMAGE_PROFILES[profile])
        cases.append((path.name, damaged, mask))
    return cases


def run_all(detector: Detector, images: list[torch.Tensor]) -> tuple[list[torch.Tensor], float]:
    """Score maps for every image and the wall seconds per megapixel."""
    outs, seconds, pixels = [], 0.0, 0
    for image in images:
        start = time.perf_counter()
        outs.append(detector(image))
        seconds += time.perf_counter() - start
        pixels += image.shape[-2] * image.shape[-1]
    return outs, seconds / (pixels / 1e6)


def evaluate_set(
    set_name: str,
    cases: list[tuple[str, torch.Tensor, torch.Tensor]],
    detectors: dict[str, Detector],
    thresholds: tuple[float, ...],
) -> list[dict]:
    rows = []
    images = [damaged for _, damaged, _ in cases]
    for method, detector in detectors.items():
        outs, per_mp = run_all(detector, images)
        levels = (0.5,) if method == "classical" else thresholds
        for level in levels:
            per_image = [
                scores((out > level).float(), mask)
                for out, (_, _, mask) in zip(outs, cases, strict=True)
            ]
            row = {"table": "synthetic", "set": set_name, "method": method, "threshold": level}
            for key in ("iou", "dice", "precision", "recall"):
                row[f"mean_{key}"] = statistics.fmean(r[key] for r in per_image)
            row["median_iou"] = statistics.median(r["iou"] for r in per_image)
            row["seconds_per_mp"] = per_mp
            rows.append(row)
    return rows


def false_positives(detectors: dict[str, Detector], thresholds: tuple[float, ...]) -> list[dict]:
    paths = sorted(shared_path("data", "sr_testsets", "Set14").glob("*.png"))
    paths += sorted(shared_path("data", "ffdnet_testsets", "CBSD68").glob("*.png"))
    aged = [
        age_photo(load(path), rng=np.random.default_rng(FP_SEED + index))
        for index, path in enumerate(paths)
    ]
    rows = []
    for method, detector in detectors.items():
        outs, per_mp = run_all(detector, aged)
        levels = (0.5,) if method == "classical" else thresholds
        for level in levels:
            flagged = [100 * float((out > level).float().mean()) for out in outs]
            worst = int(np.argmax(flagged))
            rows.append(
                {
                    "table": "false positives",
                    "set": f"Set14 + CBSD68 aged ({len(paths)})",
                    "method": method,
                    "threshold": level,
                    "median_fp_pct": statistics.median(flagged),
                    "mean_fp_pct": statistics.fmean(flagged),
                    "p90_fp_pct": float(np.percentile(flagged, 90)),
                    "worst": f"{paths[worst].name} {flagged[worst]:.2f}%",
                    "seconds_per_mp": per_mp,
                }
            )
    return rows


def per_kind(photos: list[torch.Tensor], detectors: dict[str, Detector]) -> list[dict]:
    """Pooled recall / IoU per kind, one kind at a time (aging and surface as in ``full``)."""
    rows = []
    base = replace(DAMAGE_PROFILES["full"], **NO_DAMAGE)
    for kind, counts in PER_KIND.items():
        config = replace(base, **{kind: counts})
        cases = []
        for index, photo in enumerate(photos):
            rng = np.random.default_rng(SEED + index)
            cases.append(synthesize_damage(photo, rng=rng, config=config))
        total = sum(float(mask.sum()) for _, mask in cases)
        row = {
            "table": "per kind",
            "set": kind,
            "mask_pct": 100 * total / sum(mask.numel() for _, mask in cases),
        }
        for method, detector in detectors.items():
            tp = fp = 0.0
            for damaged, mask in cases:
                pred = detector(damaged) > 0.5
                tp += float((pred & (mask > 0.5)).sum())
                fp += float((pred & (mask < 0.5)).sum())
            row[f"{method}_recall"] = tp / max(total, 1.0)
            row[f"{method}_iou"] = tp / max(total + fp, 1.0)
        rows.append(row)
    return rows


def overlay(image: torch.Tensor, mask: torch.Tensor, path: Path, max_side: int = 280) -> None:
    rgb = (image[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    m = mask[0, 0].numpy() > 0.5
    out = rgb.copy()
    out[m] = (0.35 * rgb[m] + 0.65 * np.array([255, 0, 0])).astype(np.uint8)
    contour = m.astype(np.uint8) - cv2.erode(m.astype(np.uint8), np.ones((3, 3), np.uint8))
    out[contour > 0] = (255, 0, 0)
    both = np.concatenate([rgb, np.full((rgb.shape[0], 8, 3), 255, np.uint8), out], axis=1)
    picture = Image.fromarray(both)
    factor = max_side * 2 / max(picture.size)
    if factor < 1:
        size = (round(picture.width * factor), round(picture.height * factor))
        picture = picture.resize(size, Image.LANCZOS)
    picture.save(path, quality=68, optimize=True)


def old_photos(detectors: dict[str, Detector], show: str | None) -> list[dict]:
    folder = RESULTS / "damage_overlays"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in sorted(shared_path("data", "old_photos", "old").glob("*.png")):
        image = load(path)
        row = {
            "table": "old photos",
            "set": path.name,
            "size": f"{image.shape[-1]}x{image.shape[-2]}",
        }
        for method, detector in detectors.items():
            mask = (detector(image) > 0.5).float()
            row[f"{method}_flagged_pct"] = 100 * float(mask.mean())
            if method == show:
                overlay(image, mask, folder / f"{path.stem}_{method}.jpg")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unet", type=Path, help="plain U-Net weights or checkpoint folder")
    parser.add_argument("--aspp", type=Path, help="ASPP U-Net weights or checkpoint folder")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5])
    parser.add_argument("--overlays", default=None, help="method whose masks to overlay")
    parser.add_argument("--classic", action="store_true", help="also the classic-profile set")
    parser.add_argument("--per-kind", type=int, default=0, help="recall per kind on N photos")
    parser.add_argument("--name", default="damage_seg", help="results file name")
    parser.add_argument(
        "--views",
        type=int,
        nargs="*",
        default=[],
        choices=[2, 4],
        help="also each network averaged over 2 / 4 mirror views (*_v2, *_v4)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    thresholds = tuple(sorted(set(args.thresholds) | {0.5}))

    detectors: dict[str, Detector] = {"classical": classical}
    params = {}
    for name, source in (("unet", args.unet), ("aspp", args.aspp)):
        if source is not None:
            model, detectors[name] = load_detector(source)
            params[name] = sum(p.numel() for p in model.parameters())
            for views in args.views:
                detectors[f"{name}_v{views}"] = as_detector(model, views)

    paths = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))[: args.count]
    rows = evaluate_set(
        f"BSDS500 test[:{len(paths)}] full", synthetic_set(paths, "full"), detectors, thresholds
    )
    if args.classic:
        classic = synthetic_set(paths, "classic")
        rows += evaluate_set(f"BSDS500 test[:{len(paths)}] classic", classic, detectors, thresholds)
    rows += false_positives(detectors, thresholds)
    if args.per_kind:
        rows += per_kind([load(p) for p in paths[: args.per_kind]], detectors)
    rows += old_photos(detectors, args.overlays)

    sources = ", ".join(
        f"{name} = {src} ({params[name] / 1e6:.2f} M parameters)"
        for name, src in (("unet", args.unet), ("aspp", args.aspp))
        if src is not None
    )
    views = (
        "; *_v2 / *_v4 = the same network, logits averaged over 2 views (left-right mirror) / "
        "4 views (also up-down, both)"
        if args.views
        else ""
    )
    notes = (
        f"Models: {sources or 'none'}{views}"
        "; classical = restora.ops.damage.detect_damage_classical (sensitivity 0.5). "
        "Tables: `synthetic` (means over images of per-image IoU / Dice / "
        "precision / recall of the damage class; the held-out set is the first "
        f"{len(paths)} BSDS500 test photos with the seeded `full` damage profile), "
        "`false positives` (% of pixels flagged on aged, undamaged Set14 + CBSD68), `per kind` "
        f"(pooled recall / IoU with one kind of damage drawn at a time on the first "
        f"{args.per_kind} photos), `old photos` (% flagged "
        "on the real scans; overlays in results/damage_overlays/). Times: wall seconds per "
        f"megapixel, {args.threads} threads, on a CPU shared with other jobs."
    )
    write_table(args.name, rows, command_line(), notes)
    for row in rows:
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})


if __name__ == "__main__":
    main()

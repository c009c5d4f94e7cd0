"""Face detection on old photographs: restora's MTCNN vs dlib's HOG and MMOD (issue 19,
acceptance 1), and the tuning of MTCNN's settings for small, low-contrast faces.

Labels: ``benchmarks/labels/face_boxes.json`` (boxes only, no pixels; how they were made is
in its ``how``; unmatched detections centred in an ``ignore`` box do not count). Photos whose long side exceeds ``--max-side`` are shrunk (area) for every
detector alike, labels scaled with them. A detection matches an unmatched label when their
IoU is at least ``--iou`` (0.4: detectors draw boxes of different shape around the same face;
MTCNN's include the forehead, dlib's HOG boxes are tighter), greedily by score.

Rows: each detector at its default operating point (recall, precision, smallest face found);
restora's recall at the precision dlib HOG reaches (its score threshold swept); average
precision; per-set recall. ``--tuning`` adds MTCNN variants (minimum face, thresholds, contrast
stretch).

    .venv/bin/python benchmarks/faces_detect.py [--detectors mtcnn hog mmod] [--tuning]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from _common import command_line, shared_path, write_table

LABELS = Path(__file__).resolve().parent / "labels" / "face_boxes.json"
SETS = (
    "data/old_photos/old",
    "data/real_photos/faces_old",
    "data/real_photos/damaged",
    "data/real_photos/old_bw",
    "train/caltech_faces",
)


def match(
    dets: list[tuple[float, np.ndarray]],
    labels: np.ndarray,
    iou: float,
    ignore: np.ndarray | None = None,
) -> list[tuple[float, bool, float]]:
    """(score, matched, label size) per detection, greedy by score; an unmatched detection whose
    centre lies inside an ``ignore`` box is left out."""
    from restora.ops.boxes import box_iou

    used = np.zeros(len(labels), bool)
    out = []
    for score, box in sorted(dets, key=lambda d: -d[0]):
        if len(labels):
            ious = box_iou(box[None], labels)[0]
            ious[used] = -1
            k = int(np.argmax(ious))
            if ious[k] >= iou:
                used[k] = True
                size = float(max(labels[k, 2] - labels[k, 0], labels[k, 3] - labels[k, 1]))
                out.append((score, True, size))
                continue
        if ignore is not None and len(ignore):
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            inside = (
                (ignore[:, 0] <= cx)
                & (cx <= ignore[:, 2])
                & (ignore[:, 1] <= cy)
                & (cy <= ignore[:, 3])
            )
            if inside.any():
                continue
        out.append((score, False, 0.0))
    return out


def curve(
    matches: list[tuple[float, bool, float]], n_labels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores (descending), recall and precision after each detection."""
    order = sorted(matches, key=lambda m: -m[0])
    tp = np.cumsum([m[1] for m in order])
    k = np.arange(1, len(order) + 1)
    return np.array([m[0] for m in order]), tp / max(n_labels, 1), tp / k


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the interpolated precision-recall curve (VOC style, all points)."""
    r = np.concatenate([[0], recall, [recall[-1] if len(recall) else 0]])
    p = np.concatenate([[1], precision, [0]])
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    return float(np.sum((r[1:] - r[:-1]) * p[1:]))


def run_detector(name, image, settings, upsample_max=700):
    from restora.models.face.dlib_peers import dlib_detect
    from restora.models.face.mtcnn import detect_faces

    if name.startswith("mtcnn"):
        low = dataclasses.replace(settings, thresholds=(*settings.thresholds[:2], 0.3))
        return [(f.score, np.array(f.box)) for f in detect_faces(image, settings=low)]
    upsample = 1 if max(image.shape[-2:]) <= upsample_max else 0  # MMOD on 2x copies: minutes
    if name == "hog":
        return [
            (f.score, np.array(f.box)) for f in dlib_detect(image, method="hog", upsample=upsample)
        ]
    if name == "mmod":
        return [
            (f.score, np.array(f.box)) for f in dlib_detect(image, method="mmod", upsample=upsample)
        ]
    raise ValueError(name)


DEFAULT_SCORE = {"hog": 1 / (1 + np.exp(0.0)), "mmod": 1 / (1 + np.exp(0.0))}


def main() -> None:
    from restora.io import read_image
    from restora.models.face.mtcnn import OLD_PHOTOS, PAPER, MTCNNSettings

    parser = argparse.ArgumentParser()
    parser.add_argument("--detectors", nargs="+", default=["mtcnn", "mtcnn_paper", "hog", "mmod"])
    parser.add_argument("--tuning", action="store_true")
    parser.add_argument("--iou", type=float, default=0.4)
    parser.add_argument("--max-side", type=int, default=1600)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default="faces_detect")
    parser.add_argument(
        "--cache", default="runs/faces_detect_cache.json", help="raw detections, reused"
    )
    parser.add_argument("--detect-only", action="store_true", help="fill the cache, no table")
    parser.add_argument("--sets", nargs="+", default=None, help="only these sets (folder names)")
    parser.add_argument("--only", nargs="+", default=None, help="run just these detector names")
    parser.add_argument(
        "--upsample-max", type=int, default=700, help="dlib upsamples photos up to this long side"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    settings = {"mtcnn": OLD_PHOTOS, "mtcnn_paper": PAPER}
    if args.tuning:
        for mf in (12, 16, 20):
            for stretch in (False, True):
                name = f"mtcnn_min{mf}{'_stretch' if stretch else ''}"
                settings[name] = MTCNNSettings(
                    min_face=mf, thresholds=(0.6, 0.7, 0.7), stretch=stretch
                )
        args.detectors += [k for k in settings if k not in args.detectors]
    if args.only:
        args.detectors = [d for d in args.detectors if d in args.only]

    root = shared_path()
    if args.detect_only:
        labels = {
            str(p.relative_to(root)): {"faces": [], "set": p.parent.name}
            for folder in SETS
            for p in sorted((root / folder).iterdir())
            if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif")
        }
    else:
        labels = json.loads(LABELS.read_text(encoding="utf-8"))["images"]
    if args.sets:
        labels = {k: v for k, v in labels.items() if v["set"] in args.sets}
    cache_path = Path(args.cache)
    cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    results = {d: [] for d in args.detectors}
    per_set: dict[str, dict[str, list]] = {d: {} for d in args.detectors}
    n_labels, n_by_set, seconds = 0, {}, {d: 0.0 for d in args.detectors}
    for rel, entry in labels.items():
        image = read_image(root / rel).image
        boxes = np.array(entry["faces"], np.float64).reshape(-1, 4)
        ignore = np.array(entry.get("ignore", []), np.float64).reshape(-1, 4)
        scale = 1.0
        if max(image.shape[-2:]) > args.max_side:
            scale = args.max_side / max(image.shape[-2:])
            image = F.interpolate(image, scale_factor=scale, mode="area").clamp(0, 1)
            boxes = boxes * scale
            ignore = ignore * scale
        subset = entry["set"]
        n_labels += len(boxes)
        n_by_set[subset] = n_by_set.get(subset, 0) + len(boxes)
        for d in args.detectors:
            key = f"{d}|{args.max_side}|{args.upsample_max if d in ('hog', 'mmod') else ''}|{rel}"
            if key not in cache:
                start = time.perf_counter()
                found = run_detector(d, image, settings.get(d), args.upsample_max)
                cache[key] = {
                    "seconds": time.perf_counter() - start,
                    "dets": [[s, *b.tolist()] for s, b in found],
                }
                cache_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache_path.with_suffix(".tmp")
                tmp.write_text(json.dumps(cache))
                tmp.replace(cache_path)
            seconds[d] += cache[key]["seconds"]
            dets = [(row[0], np.array(row[1:])) for row in cache[key]["dets"]]
            m = match(dets, boxes, args.iou, ignore)
            m = [(s, ok, size / scale) for s, ok, size in m]
            results[d] += m
            per_set[d].setdefault(subset, []).extend(m)
        print(
            rel,
            len(boxes),
            {d: sum(ok for _, ok, _ in results[d]) for d in args.detectors},
            flush=True,
        )
    if args.detect_only:
        return

    hog_precision = None
    if "hog" in results:
        _, r, p = curve([m for m in results["hog"] if m[0] >= DEFAULT_SCORE["hog"]], n_labels)
        hog_precision = float(p[-1]) if len(p) else None
    rows = []
    for d in args.detectors:
        scores, recall, precision = curve(results[d], n_labels)
        threshold = settings[d].thresholds[2] if d in settings else DEFAULT_SCORE[d]
        k = int(np.sum(scores >= threshold)) - 1
        found = [size for s, ok, size in results[d] if ok and s >= threshold]
        row = {
            "detector": d,
            "labels": n_labels,
            "recall": round(float(recall[k]), 4) if k >= 0 else 0.0,
            "precision": round(float(precision[k]), 4) if k >= 0 else 0.0,
            "average_precision": round(average_precision(recall, precision), 4),
            "smallest_face_found_px": round(min(found), 1) if found else None,
            "seconds": round(seconds[d], 1),
        }
        if hog_precision is not None:
            ok = precision >= hog_precision - 1e-9
            row["recall_at_hog_precision"] = round(float(recall[ok].max()), 4) if ok.any() else 0.0
        for subset, m in sorted(per_set[d].items()):
            hits = sum(ok for s, ok, _ in m if s >= threshold)
            row[f"recall_{subset}"] = round(hits / max(n_by_set[subset], 1), 3)
        if d.startswith("mtcnn") and args.tuning:
            for t3 in (0.5, 0.7, 0.9, 0.97):
                k3 = int(np.sum(scores >= t3)) - 1
                row[f"r/p at onet {t3}"] = (
                    f"{recall[k3]:.3f}/{precision[k3]:.3f}" if k3 >= 0 else "0/0"
                )
        rows.append(row)
    notes = (
        f"Sets: {', '.join(sorted(n_by_set))}. Match: IoU >= {args.iou}, greedy by score. Photos shrunk to a long side of at most "
        f"{args.max_side} px for every detector. Default operating points: MTCNN at its O-Net "
        "threshold (restora: OLD_PHOTOS, paper: 0.7), dlib HOG at SVM margin 0, MMOD at "
        f"confidence 0, both with one 2x upsampling on photos up to {args.upsample_max} px long "
        "(none above: dlib's CNN on a 2x copy of a large photo takes minutes on this 2-core "
        "machine). recall_at_hog_precision: the highest recall "
        "the detector reaches at a score threshold whose precision is at least dlib HOG's default "
        "precision. smallest_face_found_px: the smallest labelled face (long side, original "
        "pixels) matched at the default operating point. seconds: detection time over all photos."
    )
    write_table(args.name, rows, command_line(), notes)
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()

"""Faces on a 24-megapixel scan (issue 19, acceptance 6: found in under 20 s).

A 6000x4000 "album page" is composed of 12 caltech_faces photos (Lanczos-resized to widths from
140 to 1500 px, so faces span about 40 to 450 px) on a grey card. Timed: ``restora faces
page.png -o OUT`` in a child process under /usr/bin/time (start-up, reading, detection with
restora's defaults, aligned crops, writing), and ``detect_faces`` alone in this process. Found
faces are matched (IoU >= 0.4) to the pasted photos' faces (MTCNN paper settings on each photo
before pasting, scaled).

    .venv/bin/python benchmarks/faces_scale.py [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from _common import command_line, shared_path, timed, write_table

PHOTOS = [1, 22, 42, 47, 69, 90, 113, 147, 159, 166, 381, 404]
WIDTHS = [140, 180, 240, 320, 420, 560, 700, 850, 1000, 1150, 1300, 1500]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from restora.io import read_image, write_image
    from restora.models.face.mtcnn import OLD_PHOTOS, PAPER, detect_faces
    from restora.ops.boxes import box_iou
    from restora.ops.resize import lanczos

    root = shared_path("train", "caltech_faces")
    page = torch.full((1, 3, 4000, 6000), 0.55)
    truth = []
    for k, (number, width) in enumerate(zip(PHOTOS, WIDTHS, strict=True)):
        photo = read_image(root / f"image_{number:04d}.jpg").image
        face = max(detect_faces(photo, settings=PAPER), key=lambda f: f.size)
        height = round(photo.shape[-2] * width / photo.shape[-1])
        small = lanczos(photo, size=(height, width)).clamp(0, 1)
        cx, cy = 750 + 1500 * (k % 4), 667 + 1333 * (k // 4)
        x0, y0 = cx - width // 2, cy - height // 2
        page[..., y0 : y0 + height, x0 : x0 + width] = small
        s = width / photo.shape[-1]
        truth.append(
            [x0 + face.box[0] * s, y0 + face.box[1] * s, x0 + face.box[2] * s, y0 + face.box[3] * s]
        )
    truth_arr = np.array(truth)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "page.png"
        write_image(scan, page)
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        wall, rss, _ = timed(
            [
                sys.executable,
                "-m",
                "restora",
                "faces",
                str(scan),
                "-o",
                str(Path(tmp) / "out"),
                "--threads",
                str(args.threads),
            ],
            env=env,
        )
        data = json.loads((Path(tmp) / "out" / "faces.json").read_text())
        found = np.array([f["box"] for f in data["photos"][0]["faces"]]).reshape(-1, 4)
        loaded = read_image(scan).image
        start = time.perf_counter()
        faces = detect_faces(loaded, settings=OLD_PHOTOS)
        detect_s = time.perf_counter() - start
    ious = box_iou(truth_arr, found) if len(found) else np.zeros((len(truth_arr), 0))
    hit = ious.max(axis=1) >= 0.4 if ious.size else np.zeros(len(truth_arr), bool)
    sizes = np.maximum(truth_arr[:, 2] - truth_arr[:, 0], truth_arr[:, 3] - truth_arr[:, 1])
    false = int((ious.max(axis=0) < 0.4).sum()) if ious.size else len(found)
    rows.append(
        {
            "what": "restora faces page.png (child process)",
            "megapixels": 24.0,
            "seconds": round(wall, 1),
            "peak_rss_mb": round(rss),
            "faces_pasted": len(truth_arr),
            "found": int(hit.sum()),
            "other_detections": false,
            "smallest_face_found_px": round(float(sizes[hit].min()), 1) if hit.any() else None,
            "largest_face_missed_px": round(float(sizes[~hit].max()), 1) if (~hit).any() else None,
        }
    )
    rows.append(
        {
            "what": "detect_faces(OLD_PHOTOS) in process",
            "megapixels": 24.0,
            "seconds": round(detect_s, 1),
            "found": len(faces),
        }
    )
    notes = (
        f"{args.threads} threads. OLD_PHOTOS detects on a copy whose long side is at most "
        f"{OLD_PHOTOS.max_side} px with a {OLD_PHOTOS.min_face:g} px minimum face, so the "
        f"smallest face it can find on a 6000 px scan is about "
        f"{OLD_PHOTOS.min_face * 6000 / OLD_PHOTOS.max_side:g} px; pass --min-face or settings "
        "with max_side=None for smaller faces (slower)."
    )
    write_table("faces_scale", rows, command_line(), notes)
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()

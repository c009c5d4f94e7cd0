"""Tiled x4 super-resolution of a 2000x1500 photo: equal to untiled, and peak RSS under 3 GB.

A Set14 photo is enlarged (Lanczos) to 2000x1500 and saved as a 16-bit PNG (so outputs keep 16
bits and compare to ~1/65535). ``restora restore --stages upscale --scale 4`` (restora's own SR
network) runs in child processes measured with /usr/bin/time -v: once with the default memory
budget (1024 MB -> tiles) and once with a budget so large the whole image is one tile.

    .venv/bin/python benchmarks/sr_tiled.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from _common import command_line, shared_path, timed, write_table

RESTORA = [sys.executable, "-m", "restora"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="2000x1500", help="WIDTHxHEIGHT of the input")
    parser.add_argument("--scale", type=int, default=4)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    photo = sorted(shared_path("data", "sr_testsets", "Set14").glob("*.png"))[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        image = cv2.imread(str(photo), cv2.IMREAD_COLOR).astype(np.float32) / 255
        image = np.clip(cv2.resize(image, (width, height), interpolation=cv2.INTER_LANCZOS4), 0, 1)
        source = work / "photo.png"
        cv2.imwrite(str(source), np.round(image * 65535).astype(np.uint16))
        outputs = {}
        for label, budget in (("tiled (default 1024 MB budget)", 1024), ("untiled", 200_000)):
            out = work / label.split()[0]
            cmd = [*RESTORA, "restore", str(source), "-o", str(out), "--stages", "upscale"]
            cmd += ["--scale", str(args.scale), "--memory-mb", str(budget)]
            wall, rss, _ = timed(cmd)
            outputs[label] = cv2.imread(str(out / "photo_restored.png"), cv2.IMREAD_UNCHANGED)
            assert outputs[label].dtype == np.uint16, outputs[label].dtype
            rows.append({"run": label, "seconds": round(wall, 1), "peak RSS MB": round(rss)})
            print(rows[-1], flush=True)
        a, b = (o.astype(np.float64) / 65535 * 255 for o in outputs.values())
        rows[0]["output"] = f"{a.shape[1]}x{a.shape[0]}"
        rows[0]["max abs diff tiled vs untiled (8-bit levels)"] = round(
            float(np.abs(a - b).max()), 4
        )
        rows[0]["mean abs diff tiled vs untiled (8-bit levels)"] = round(
            float(np.abs(a - b).mean()), 5
        )
    notes = (
        f"{photo.name} from Set14 enlarged to {width}x{height}, saved as 16-bit PNG, upscaled "
        f"x{args.scale} by the pipeline's default upscaler (restora's own network). Times and RSS "
        "include process start and 16-bit PNG I/O; 2-core CPU shared with training jobs while "
        "measured. Acceptance (issue 5): max difference < 1 level, tiled peak RSS < 3 GB."
    )
    write_table("sr_tiled", rows, command_line(), notes)


if __name__ == "__main__":
    main()

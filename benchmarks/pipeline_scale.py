"""Whole-pipeline cost on large photos: wall time and peak RSS of `restora restore`.

A BSDS500 test photo is enlarged (Lanczos) to 2 and 24 megapixels, damaged with
`restora synth`, then restored by the CLI in a child process measured with /usr/bin/time -v.
Also checks that a forced tile size gives the same output as the default plan (< 1/255).

    .venv/bin/python benchmarks/pipeline_scale.py [--sizes 2mp,24mp]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from _common import command_line, shared_path, timed, write_table

SIZES = {"2mp": (1732, 1155), "12mp": (4242, 2828), "24mp": (6000, 4000)}
RESTORA = [sys.executable, "-m", "restora"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2mp,24mp")
    args = parser.parse_args()
    photo = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))[3]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.sizes.split(","):
            width, height = SIZES[name]
            clean = work / f"clean_{name}.png"
            Image.open(photo).convert("RGB").resize((width, height), Image.LANCZOS).save(clean)
            damaged = work / f"{name}.png"
            subprocess.run(
                [*RESTORA, "synth", str(clean), "-o", str(damaged), "--seed", "1"],
                check=True,
                capture_output=True,
            )
            wall, rss, _ = timed([*RESTORA, "restore", str(damaged), "-o", str(work / "out")])
            tiled_wall, tiled_rss, _ = timed(
                [*RESTORA, "restore", str(damaged), "-o", str(work / "tiled"), "--tile", "1024"]
            )
            a = np.asarray(Image.open(work / "out" / f"{name}_restored.png"), dtype=np.int16)
            b = np.asarray(Image.open(work / "tiled" / f"{name}_restored.png"), dtype=np.int16)
            rows.append(
                {
                    "image": f"{name} ({width}x{height})",
                    "seconds (default plan)": round(wall, 2),
                    "peak RSS MB (default plan)": round(rss),
                    "seconds (--tile 1024)": round(tiled_wall, 2),
                    "peak RSS MB (--tile 1024)": round(tiled_rss),
                    "max abs diff default vs tiled (8-bit levels)": int(np.abs(a - b).max()),
                    "pixels differing": int((a != b).any(-1).sum()),
                }
            )
            print(rows[-1], flush=True)
    notes = (
        f"Source photo: {photo.name} from shared/train/bsds500_test, enlarged with Lanczos, damaged "
        "with `restora synth --seed 1`. Default stages (analyze, detect_damage, inpaint, denoise, "
        "colorize, upscale at scale 1), default memory budget (1024 MB). Times include process "
        "start, reading and writing the PNG. Measured with /usr/bin/time -v on this 2-core machine."
    )
    write_table("pipeline_scale", rows, command_line(), notes)


if __name__ == "__main__":
    main()

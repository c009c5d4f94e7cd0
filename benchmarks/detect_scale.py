"""Damage detection on a 24-megapixel scan (issue #6, acceptance 4): wall time and peak RSS.

A BSDS500 test photo is enlarged (Lanczos) to 6000x4000 and damaged with `restora synth`; then
`restora restore SCAN --stages detect_damage --save-mask` runs in a child process under
/usr/bin/time -v, once per detection method (classical, learned), default 1 GB memory budget
(the learned network runs tiled). A second table times the learned network alone on one
1024x1024 tile in this process: as saved (batch norms, contiguous memory) against the pipeline's
inference form (``restora.nn.fusion.inference_form``: norms folded into the convs, 1x1 convs
before upsampling, in-place ReLUs, channels-last), best of 3. The pipeline's ``detect.views =
"auto"`` runs one view at 24 MP (the view budget of ``damage.unet`` in ``restora.models.catalogue``).

    .venv/bin/python benchmarks/detect_scale.py [--size 24mp] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from _common import command_line, shared_path, timed, write_table
from pipeline_scale import SIZES

RESTORA = [sys.executable, "-m", "restora"]


def best_of(model: torch.nn.Module, x: torch.Tensor, repeats: int = 3) -> float:
    times = []
    with torch.inference_mode():
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return min(times)


def tile_rows(threads: int) -> list[dict]:
    from restora.models import catalogue, load_model
    from restora.nn.fusion import inference_form

    torch.set_num_threads(threads)
    x = torch.rand(1, 3, 1024, 1024, generator=torch.Generator().manual_seed(0))
    plain = load_model(catalogue.shipped("damage.unet").path)
    fused = inference_form(plain)
    x_last = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        diff = float((plain(x).sigmoid() - fused(x_last).sigmoid()).abs().max())
    plain_s, fused_s = best_of(plain, x), best_of(fused, x_last)
    plain_s = min(plain_s, best_of(plain, x))  # interleaved, so a busy spell hits both
    return [
        {"form": "as saved", "seconds_per_1024x1024": round(plain_s, 3), "speedup": 1.0},
        {
            "form": "inference form (pipeline)",
            "seconds_per_1024x1024": round(fused_s, 3),
            "speedup": round(plain_s / fused_s, 2),
            "max_probability_diff": f"{diff:.1e}",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="24mp", choices=sorted(SIZES))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    photo = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))[3]
    width, height = SIZES[args.size]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clean = work / "clean.png"
        Image.open(photo).convert("RGB").resize((width, height), Image.LANCZOS).save(clean)
        scan = work / f"{args.size}.png"
        subprocess.run(
            [
                *RESTORA,
                "synth",
                str(clean),
                "-o",
                str(scan),
                "--seed",
                "1",
                "--save-mask",
                str(work / "truth.png"),
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        truth = np.asarray(Image.open(work / "truth.png")) > 127
        for method in ("classical", "learned"):
            out = work / method
            wall, rss, _ = timed(
                [
                    *RESTORA,
                    "restore",
                    str(scan),
                    "-o",
                    str(out),
                    "--stages",
                    "detect_damage",
                    "--save-mask",
                    "--set",
                    f'detect.method="{method}"',
                ],
                env=env,
            )
            found = np.asarray(Image.open(out / f"{args.size}_mask.png")) > 127
            both = float((found & truth).sum())
            rows.append(
                {
                    "table": "scan",
                    "image": f"{args.size} ({width}x{height}), synth --seed 1",
                    "method": method,
                    "seconds": round(wall, 2),
                    "peak_rss_mb": round(rss),
                    "flagged_pct": round(100 * float(found.mean()), 2),
                    "iou": round(both / max(float((found | truth).sum()), 1.0), 3),
                }
            )
            print(rows[-1], flush=True)
    rows += [{"table": "tile", **row} for row in tile_rows(args.threads)]
    notes = (
        "scan: whole CLI run (process start, PNG read/write, detection) measured with "
        f"/usr/bin/time -v, OMP_NUM_THREADS={args.threads}; iou against synth's true mask. "
        "tile: the learned network alone in this process."
    )
    write_table(f"detect_scale_{args.size}", rows, command_line(), notes)


if __name__ == "__main__":
    main()

"""Inpainting a large scan: wall time and peak RSS of `restora restore --stages inpaint`.

A BSDS500 test photo is enlarged (Lanczos) to 24 megapixels (6000x4000) and damaged with
`restora synth --profile classic` (scratches, hairs, dust; about 1 % of the pixels); the true
mask is saved and handed back with ``--mask`` so that only filling is measured. Each inpainting
method runs in its own child process under /usr/bin/time -v. Both fill the bounding box of
each hole component (cut at 1024 px) with 48 px of context around it and paste back only the
hole pixels (``restora.pipeline.strategies.crop_around_mask``); the network runs one view.
Also reported: PSNR of the filled photo against the clean one over the hole pixels only.

    .venv/bin/python benchmarks/inpaint_scale.py [--size 24mp] [--methods restora,telea]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from _common import command_line, shared_path, timed, write_table
from pipeline_scale import RESTORA, SIZES


def hole_psnr(out: Path, clean: Path, mask: np.ndarray) -> float:
    a = np.asarray(Image.open(out).convert("RGB"), dtype=np.float64)[mask]
    b = np.asarray(Image.open(clean).convert("RGB"), dtype=np.float64)[mask]
    return float(10 * np.log10(255.0**2 / np.mean((a - b) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="24mp", choices=sorted(SIZES))
    parser.add_argument("--methods", default="restora,telea")
    args = parser.parse_args()
    photo = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))[3]
    width, height = SIZES[args.size]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "big.png"
        Image.open(photo).convert("RGB").resize((width, height), Image.LANCZOS).save(big)
        damaged, mask, clean = work / "damaged.png", work / "mask.png", work / "clean.png"
        subprocess.run(
            [
                *RESTORA,
                "synth",
                str(big),
                "-o",
                str(damaged),
                "--seed",
                "1",
                "--profile",
                "classic",
                "--save-mask",
                str(mask),
                "--save-clean",
                str(clean),
            ],
            check=True,
            capture_output=True,
        )
        holes = np.asarray(Image.open(mask).convert("L")) > 127
        for method in args.methods.split(","):
            out = work / method
            wall, rss, _ = timed(
                [
                    *RESTORA,
                    "restore",
                    str(damaged),
                    "-o",
                    str(out),
                    "--stages",
                    "inpaint",
                    "--mask",
                    str(mask),
                    "--inpaint-method",
                    method,
                ]
            )
            rows.append(
                {
                    "image": f"{args.size} ({width}x{height})",
                    "damage % of pixels": round(100 * float(holes.mean()), 2),
                    "method": method,
                    "seconds": round(wall, 2),
                    "peak RSS MB": round(rss),
                    "PSNR over holes (dB)": round(
                        hole_psnr(out / "damaged_restored.png", clean, holes), 2
                    ),
                }
            )
            print(rows[-1], flush=True)
    write_table("inpaint_scale", rows, command_line(), (__doc__ or "").split("    .venv")[0])


if __name__ == "__main__":
    main()

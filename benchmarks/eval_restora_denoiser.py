"""CBSD68 / BSD68 PSNR of a restora denoiser checkpoint, with the protocol of ``denoise.py``.

Same images, noise (``numpy.random.default_rng(i)`` for the i-th sorted image, added in float,
not clipped), output clipped to [0, 1], PSNR ``10 log10(1 / MSE)`` over all channels, no border
crop - it imports ``load_images`` and ``add_noise`` from ``benchmarks/denoise.py`` so the two
cannot drift. Unlike ``denoise.py`` it writes no result files (safe to run during training) and
accepts a model folder, a training checkpoint folder or a run folder (EMA weights preferred).

Run::

    .venv/bin/python benchmarks/eval_restora_denoiser.py --model runs/denoise_restora \
        --sigmas 15,25,50 [--limit 8] [--threads 1] [--json out.json] [--cbm3d 2]

``--cbm3d N`` also runs CBM3D on the first N images in the same process and reports both
methods' PSNR and seconds per image there (the issue's "10x faster than CBM3D" check).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from _common import shared_path
from denoise import SETS, add_noise, load_images
from restora.metrics import psnr
from restora.train.checkpoint import load_trained_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model/checkpoint/run folder")
    parser.add_argument("--set", default="cbsd68", choices=sorted(SETS))
    parser.add_argument("--sigmas", default="25", help="noise levels in 0..255, comma-separated")
    parser.add_argument("--limit", type=int, default=None, help="first N images")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--cbm3d", type=int, default=0, help="also time CBM3D (bm3d pkg) on the first N images"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_trained_model(args.model).eval()
    folder, channels = SETS[args.set]
    images = load_images(shared_path(folder), channels, args.limit)
    rows = []
    for sigma in (int(s) for s in args.sigmas.split(",")):
        scores, noisy_scores, seconds, megapixels = [], [], 0.0, 0.0
        for index, (_, clean) in enumerate(images):
            noisy = add_noise(clean, sigma, index)
            x = noisy.float().expand(-1, 3, -1, -1) if channels == 1 else noisy.float()
            start = time.perf_counter()
            with torch.inference_mode():
                out = model(x)
            seconds += time.perf_counter() - start
            out = out.mean(dim=1, keepdim=True) if channels == 1 else out
            out = out.double().clamp(0.0, 1.0)
            scores.append(float(psnr(out, clean)[0]))
            noisy_scores.append(float(psnr(noisy.clamp(0, 1), clean)[0]))
            megapixels += clean.shape[-2] * clean.shape[-1] / 1e6
        row = {
            "set": args.set,
            "sigma": sigma,
            "psnr": round(float(np.mean(scores)), 3),
            "noisy_psnr": round(float(np.mean(noisy_scores)), 3),
            "images": len(images),
            "s_per_image": round(seconds / len(images), 3),
            "s_per_mp": round(seconds / megapixels, 3),
            "threads": args.threads,
        }
        if args.cbm3d:
            row.update(_against_cbm3d(model, images[: args.cbm3d], sigma, channels))
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


def _against_cbm3d(
    model: torch.nn.Module, images: list[tuple[str, torch.Tensor]], sigma: int, channels: int
) -> dict[str, float]:
    """PSNR and seconds per image of CBM3D and of ``model`` on the same few images."""
    from denoise import _bm3d  # BM3D / CBM3D from the bm3d package (non-commercial licence)

    ours, theirs, ours_s, theirs_s = [], [], 0.0, 0.0
    for index, (_, clean) in enumerate(images):
        noisy = add_noise(clean, sigma, index)
        start = time.perf_counter()
        reference = _bm3d(noisy, sigma / 255.0)
        theirs_s += time.perf_counter() - start
        x = noisy.float().expand(-1, 3, -1, -1) if channels == 1 else noisy.float()
        start = time.perf_counter()
        with torch.inference_mode():
            out = model(x)
        ours_s += time.perf_counter() - start
        out = out.mean(dim=1, keepdim=True) if channels == 1 else out
        ours.append(float(psnr(out.double().clamp(0, 1), clean)[0]))
        theirs.append(float(psnr(reference.clamp(0, 1), clean)[0]))
    return {
        "cbm3d_images": len(images),
        "cbm3d_psnr": round(float(np.mean(theirs)), 3),
        "same_images_psnr": round(float(np.mean(ours)), 3),
        "cbm3d_s_per_image": round(theirs_s / len(images), 3),
        "same_images_s_per_image": round(ours_s / len(images), 3),
        "speedup_vs_cbm3d": round(theirs_s / max(ours_s, 1e-9), 1),
    }


if __name__ == "__main__":
    main()

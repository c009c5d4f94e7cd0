"""Set5 / Set14 PSNR and SSIM of a restora SR checkpoint, with the rgb protocol of ``bicubic.py``.

Protocol: HR (mod-cropped to the scale) -> MATLAB-bicubic ``imresize(1/s)`` -> rounded to 8 bits
= the LR input; the model's output is clamped to [0, 1] and rounded to 8 bits; PSNR / SSIM on
BT.601 Y with an ``s``-pixel border crop (``restora.metrics``). 1-channel files (Set14 bridge)
go in as 3 equal channels and the output's channel mean is measured as gray, the way
``bicubic.py`` measures them. Unlike ``benchmarks/sr.py`` it writes no result files (safe to run
during training) and accepts a model folder, a training checkpoint folder or a run folder (EMA
weights preferred). Time is the model call alone, reported per output megapixel.

Run::

    .venv/bin/python benchmarks/eval_restora_sr.py --model runs/sr_restora_x4 \
        [--sets Set5,Set14] [--threads 2] [--json out.json] [--opencv lapsrn/LapSRN_x4.pb]

``--opencv FILE`` (relative to ``../shared/weights/opencv_superres``) also runs an OpenCV
``dnn_superres`` graph in the same process for a speed / PSNR comparison.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from _common import shared_path
from restora.io.arrays import numpy_to_tensor
from restora.metrics import mod_crop, psnr, quantize_8bit, ssim
from restora.ops.resize import imresize
from restora.train.checkpoint import load_trained_model


def load(path: Path) -> torch.Tensor:
    """(1, C, H, W) float64 in [0, 1]; C = 1 for gray files, 3 for RGB."""
    return numpy_to_tensor(np.asarray(Image.open(path))).to(torch.float64)


def evaluate_set(upscale, files: list[Path], scale: int) -> dict[str, float]:
    """Mean PSNR / SSIM (Y, border crop) of ``upscale`` ((1,3,h,w) float32 -> (1,3,sh,sw))."""
    scores, sims, seconds, megapixels = [], [], 0.0, 0.0
    for file in files:
        hr = mod_crop(load(file), scale)
        gray = hr.shape[1] == 1
        lr = quantize_8bit(imresize(hr, scale=1 / scale))
        x = (lr.expand(-1, 3, -1, -1) if gray else lr).float().contiguous()
        start = time.perf_counter()
        out = upscale(x)
        seconds += time.perf_counter() - start
        out = out.double().clamp(0.0, 1.0)
        out = quantize_8bit(out.mean(dim=1, keepdim=True) if gray else out)
        scores.append(float(psnr(out, hr, crop_border=scale, y_channel=True)[0]))
        sims.append(float(ssim(out, hr, crop_border=scale, y_channel=True)[0]))
        megapixels += out.shape[-2] * out.shape[-1] / 1e6
    return {
        "psnr_y": round(float(np.mean(scores)), 4),
        "ssim_y": round(float(np.mean(sims)), 4),
        "images": len(files),
        "s_per_output_mp": round(seconds / megapixels, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model/checkpoint/run folder")
    parser.add_argument("--sets", default="Set5,Set14")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--opencv", default=None, help="OpenCV graph to compare, e.g. lapsrn/LapSRN_x4.pb"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_trained_model(args.model).eval()
    scale = int(model.config["scale"])
    params = sum(p.numel() for p in model.parameters())

    def run_model(x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return model(x)

    methods = [("restora", run_model)]
    if args.opencv:
        import cv2

        from restora.models.sr.opencv_dnn import OpenCVSuperRes

        cv2.setNumThreads(args.threads)
        graph = OpenCVSuperRes(shared_path("weights", "opencv_superres", *args.opencv.split("/")))
        if graph.scale != scale:
            raise SystemExit(f"{args.opencv} is x{graph.scale}, the model x{scale}")
        methods.append((graph.path.stem, graph))
    rows = []
    for name in args.sets.split(","):
        files = sorted(shared_path("data", "sr_testsets", name).glob("*.png"))
        for method, upscale in methods:
            row = {"set": name, "scale": scale, "method": method}
            if method == "restora":
                row["params"] = params
            row.update(evaluate_set(upscale, files, scale))
            row["threads"] = args.threads
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

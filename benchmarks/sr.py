"""Super-resolution on Set5 / Set14: bicubic, OpenCV FSRCNN / ESPCN / LapSRN, restora's models.

Protocol ("rgb" protocol of ``benchmarks/bicubic.py``): HR cropped to a multiple of the scale,
LR = uint8(MATLAB-bicubic(HR, 1/s)); each method upscales LR (RGB; gray images as 3 equal
channels, the output averaged back to gray); the output is clipped and rounded to 8 bits; PSNR
and SSIM on BT.601 Y (gray images on their gray values) with an ``s``-pixel border crop. Times
are wall seconds of the upscaling call only, per image and per output megapixel, with
``torch.set_num_threads(--threads)`` (OpenCV uses its own thread pool, set to the same count).

``--realistic``: instead, Set14 degraded as old photos are: HR -> Gaussian blur sigma 1.2 ->
MATLAB bicubic x1/4 -> AWGN sigma 5/255 (numpy default_rng(i) for the i-th image) -> clip ->
JPEG quality 75 (OpenCV); compared methods: bicubic, restora x4 (bicubic-trained), restora x4
(realistic).

``--protocol opencv``: OpenCV's own dnn_superres benchmark protocol (the sample behind its
published table, opencv_contrib ``dnn_superres/tutorials/benchmark``): LR =
``cv2.resize(HR, 1/s)`` with OpenCV's default (bilinear, no antialiasing) on the 8-bit image,
and its "bicubic" row upscales with ``cv2.resize(INTER_CUBIC)``. The OpenCV graphs were trained
for that kind of LR, so this is where their published behaviour (beating bicubic) is checked;
PSNR / SSIM are still measured on Y with the border crop.

    .venv/bin/python benchmarks/sr.py [--scales 2,4] [--sets Set5,Set14] [--threads 2]
    .venv/bin/python benchmarks/sr.py --realistic
    .venv/bin/python benchmarks/sr.py --protocol opencv --sets Set5
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from _common import command_line, shared_path, write_table
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy
from restora.metrics import mod_crop, psnr, quantize_8bit, ssim
from restora.ops.resize import imresize

# Published Set5 / Set14 PSNR (Y, bicubic degradation) of the peers, from their papers.
PUBLISHED = {
    ("fsrcnn", "Set5", 2): 37.00,
    ("fsrcnn", "Set5", 4): 30.72,
    ("fsrcnn", "Set14", 2): 32.63,
    ("fsrcnn", "Set14", 4): 27.61,
    ("espcn", "Set5", 4): 30.90,
    ("espcn", "Set14", 4): 27.73,
    ("lapsrn", "Set5", 2): 37.52,
    ("lapsrn", "Set5", 4): 31.54,
    ("lapsrn", "Set14", 2): 33.08,
    ("lapsrn", "Set14", 4): 28.19,
    ("bicubic", "Set5", 2): 33.66,
    ("bicubic", "Set5", 4): 28.42,
    ("bicubic", "Set14", 2): 30.24,
    ("bicubic", "Set14", 4): 26.00,
}
OPENCV = {"fsrcnn": "fsrcnn/FSRCNN_x{s}.pb", "espcn": "espcn/ESPCN_x{s}.pb"}
OPENCV["lapsrn"] = "lapsrn/LapSRN_x{s}.pb"

Upscaler = Callable[[torch.Tensor], torch.Tensor]
SET_SUFFIX = {"matlab": "", "realistic": " (blur+noise+JPEG)", "opencv": " (OpenCV LR)"}


def load(path: Path) -> torch.Tensor:
    """(1, C, H, W) float32 in [0, 1]; C = 1 for gray files, 3 for RGB."""
    return numpy_to_tensor(np.asarray(Image.open(path))).float()


def opencv_upscaler(name: str, scale: int) -> tuple[Upscaler, int | None] | None:
    from restora.models.sr.opencv_dnn import OpenCVSuperRes

    path = shared_path("weights", "opencv_superres") / OPENCV[name].format(s=scale)
    if not path.is_file():
        return None
    return OpenCVSuperRes(path), None


def restora_upscaler(scale: int, variant: str, folder: Path | None) -> tuple[Upscaler, int] | None:
    from restora.core.errors import RestoraError
    from restora.models import load_model

    try:
        if folder is None:
            from restora.models import catalogue

            model = catalogue.load(f"sr.x{scale}_{variant}").model
        else:
            model = load_model(folder)
    except (ImportError, KeyError, RestoraError) as exc:
        print(f"restora x{scale} {variant}: skipped ({exc})")
        return None
    model.eval()

    def run(lr: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return model(lr)

    return run, sum(p.numel() for p in model.parameters())


def upscalers(scale: int, args: argparse.Namespace) -> dict[str, tuple[Upscaler, int | None]]:
    found: dict[str, tuple[Upscaler, int | None] | None] = {
        "bicubic": (
            (lambda lr: opencv_resize(lr, scale, cv2.INTER_CUBIC))
            if args.protocol == "opencv"
            else (lambda lr: imresize(lr, scale=scale)),
            None,
        )
    }
    if not args.realistic:
        for name in OPENCV:
            found[name] = opencv_upscaler(name, scale)
    folders = dict(item.split("=", 1) for item in args.model) if args.model else {}
    for variant in ("bicubic", "realistic") if args.realistic else ("bicubic",):
        folder = folders.get(f"x{scale}_{variant}")
        found[f"restora_{variant}"] = restora_upscaler(
            scale, variant, Path(folder) if folder else None
        )
    return {k: v for k, v in found.items() if v is not None}


def opencv_resize(image: torch.Tensor, factor: float, interpolation: int) -> torch.Tensor:
    """``cv2.resize`` of an 8-bit-valued (1, 3, H, W) image by ``factor``, as uint8."""
    rgb = tensor_to_numpy(quantize_8bit(image), np.uint8)
    out = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=interpolation)
    return numpy_to_tensor(np.ascontiguousarray(out)).float()


def degrade(hr: torch.Tensor, index: int, scale: int, protocol: str) -> torch.Tensor:
    """The LR input of the protocol (``matlab``, ``realistic`` or ``opencv``), in [0, 1]."""
    if protocol == "realistic":
        return degrade_realistic(hr, index)
    if protocol == "opencv":
        return opencv_resize(hr, 1 / scale, cv2.INTER_LINEAR)
    return quantize_8bit(imresize(hr, scale=1 / scale))


def degrade_realistic(hr: torch.Tensor, index: int) -> torch.Tensor:
    """HR (1, 3, H, W) -> blurred, x1/4, noisy, JPEG-75 LR (1, 3, H/4, W/4) in [0, 1]."""
    rgb = tensor_to_numpy(hr, np.float32)
    blurred = cv2.GaussianBlur(rgb, (0, 0), sigmaX=1.2, borderType=cv2.BORDER_REFLECT)
    lr = imresize(numpy_to_tensor(blurred), scale=0.25)
    noise = np.random.default_rng(index).standard_normal(lr.shape[1:]).astype(np.float32)
    lr = (lr + torch.from_numpy(noise)[None] * 5 / 255).clamp(0, 1)
    bgr = np.ascontiguousarray(tensor_to_numpy(quantize_8bit(lr), np.uint8)[:, :, ::-1])
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 75])
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1]
    return numpy_to_tensor(np.ascontiguousarray(decoded)).float()


def evaluate(
    method: Upscaler, images: list[torch.Tensor], scale: int, protocol: str
) -> tuple[float, float, float, float]:
    """Mean PSNR, mean SSIM, seconds per image, seconds per output MP."""
    psnrs, ssims, seconds, pixels = [], [], 0.0, 0
    for index, image in enumerate(images):
        hr = mod_crop(image, scale)
        gray = hr.shape[1] == 1
        rgb = hr.expand(-1, 3, -1, -1) if gray else hr
        lr = degrade(rgb, index, scale, protocol)
        start = time.perf_counter()
        out = method(lr.float())
        seconds += time.perf_counter() - start
        pixels += out.shape[-1] * out.shape[-2]
        out = quantize_8bit(out.float().clamp(0, 1))
        if gray:
            out = quantize_8bit(out.mean(1, keepdim=True))
        psnrs.append(psnr(out, hr, crop_border=scale, y_channel=True).item())
        ssims.append(ssim(out, hr, crop_border=scale, y_channel=True).item())
    return (
        float(np.mean(psnrs)),
        float(np.mean(ssims)),
        seconds / len(images),
        seconds / (pixels / 1e6),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="Set5,Set14")
    parser.add_argument("--scales", default="2,4")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--realistic", action="store_true", help="Set14 x4, old-photo degradation")
    parser.add_argument(
        "--protocol",
        choices=("matlab", "opencv"),
        default="matlab",
        help="LR from MATLAB bicubic (the papers) or OpenCV's own benchmark (cv2.resize)",
    )
    parser.add_argument(
        "--model",
        action="append",
        help="x{scale}_{variant}=FOLDER: a restora model folder instead of the packaged weights",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    sets = ["Set14"] if args.realistic else args.sets.split(",")
    scales = [4] if args.realistic else [int(s) for s in args.scales.split(",")]
    rows = []
    for dataset in sets:
        files = sorted(shared_path("data", "sr_testsets", dataset).glob("*.png"))
        images = [load(f) for f in files]
        for scale in scales:
            for name, (method, params) in upscalers(scale, args).items():
                protocol = "realistic" if args.realistic else args.protocol
                p, s, per_image, per_mp = evaluate(method, images, scale, protocol)
                published = PUBLISHED.get((name, dataset, scale)) if protocol == "matlab" else None
                rows.append(
                    {
                        "set": dataset + SET_SUFFIX[protocol],
                        "scale": scale,
                        "method": name,
                        "psnr_y": round(p, 3),
                        "ssim_y": round(s, 4),
                        "published psnr": published if published is not None else "",
                        "params": params if params is not None else "",
                        "s / image": round(per_image, 4),
                        "s / output MP": round(per_mp, 4),
                    }
                )
                print(rows[-1], flush=True)
    notes = (__doc__ or "").split("    .venv")[0].strip()
    notes += (
        "\n\nOpenCV peers: the dnn_superres graphs in ../shared/weights/opencv_superres "
        "(FSRCNN, ESPCN and LapSRN as OpenCV publishes them; published PSNR from the papers). "
        "restora_bicubic / restora_realistic: restora's own weights (see their MODEL_CARD.md)."
    )
    name = {"matlab": "sr", "opencv": "sr_opencv_protocol"}[args.protocol]
    write_table("sr_realistic" if args.realistic else name, rows, command_line(), notes)


if __name__ == "__main__":
    main()

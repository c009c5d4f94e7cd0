"""Colorization on colour photos turned gray (CBSD68, Set14): gray, Levin, restora's models.

Every photo is turned gray by keeping its CIE L and setting a = b = 0; each method colorizes
that gray image and is scored against the original:

- PSNR (dB) and SSIM on RGB (all three channels, outputs quantized to 8 bit as when saved);
- AuC: area under the CDF of the per-pixel ab error over thresholds 0-150 (Zhang et al.),
  in % (100 = every pixel's ab exact);
- colourfulness (Hasler-Süsstrunk; the originals' mean is given for reference).

Rows: ``gray`` (a = b = 0), ``levin_N`` (Levin et al. with N true-colour points sampled from
the original, seeded), ``restora_auto`` and ``restora_hints_N`` when restora's colorizer
weights have shipped (otherwise the row is listed as skipped, with the reason). Gray files
in Set14 (bridge, man) are left out: they have no colour to recover.

``--timing`` instead measures the acceptance case of issue 8: a 4000x3000 gray scan through
``colorize_lab`` (Zhang ECCV16 at full and at 0.25 width, untrained: the time does not depend
on the weights; restora's shipped colorizer without and with 100 points) and through Levin with
100 points, and checks that L is kept (max |dL|).

Run: ``.venv/bin/python benchmarks/colorize.py --limit 4`` (OMP_WAIT_POLICY=PASSIVE on a
shared machine).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from PIL import Image

from _common import command_line, shared_path, write_table
from restora.color import image_lightness, lab_to_rgb, rgb_to_lab
from restora.io.arrays import numpy_to_tensor
from restora.metrics import ab_auc, colorfulness, psnr, quantize_8bit, ssim
from restora.models import catalogue, create_model, load_model
from restora.models.colorization import colorize_lab
from restora.ops.colorize_levin import levin_colorize

DATASETS = {
    "CBSD68": ("data", "ffdnet_testsets", "CBSD68"),
    "Set14": ("data", "sr_testsets", "Set14"),
}
POINTS = (10, 100)


def load_colour(path) -> torch.Tensor | None:
    """(1, 3, H, W) float32, or None for gray files (1 channel or three equal channels)."""
    array = np.asarray(Image.open(path))
    if (
        array.ndim == 2
        or (array[..., 0] == array[..., 1]).all()
        and (array[..., 1] == array[..., 2]).all()
    ):
        return None
    return numpy_to_tensor(array[..., :3]).float()


def turn_gray(image: torch.Tensor) -> torch.Tensor:
    lab = rgb_to_lab(image)
    lab[:, 1:] = 0
    return lab_to_rgb(lab).clamp(0, 1)


def sample_points(image: torch.Tensor, count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` random pixels of the original as hints: (ab (1, 2, H, W), mask (1, 1, H, W))."""
    _, _, h, w = image.shape
    rng = np.random.default_rng(seed)
    flat = rng.choice(h * w, size=count, replace=False)
    mask = torch.zeros(1, 1, h * w)
    mask[..., torch.from_numpy(flat)] = 1
    mask = mask.view(1, 1, h, w)
    return rgb_to_lab(image)[:, 1:] * mask, mask


def scores(out: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    out8 = quantize_8bit(out)
    return {
        "psnr": psnr(out8, target).item(),
        "ssim": ssim(out8, target).item(),
        "auc": 100 * ab_auc(out8, target).item(),
        "colorfulness": colorfulness(out8).item(),
    }


def colorizer(kind: str, folder: str | None):
    """The ``auto`` / ``hints`` model: from ``folder`` (a saved model or a checkpoint's ``ema``
    folder) when given, else the shipped weights; None when neither exists."""
    if folder:
        return load_model(folder)
    shipped = "colorize.siggraph17"  # one shipped network serves both kinds
    return catalogue.load(shipped).model if catalogue.installed(shipped) else None


def methods(levin_max_side: int, auto_folder: str | None = None, hints_folder: str | None = None):
    """(name, function(gray, original, seed) -> rgb, or None, note) for every row."""
    rows = [("gray", lambda gray, orig, seed: gray, "")]
    for n in POINTS:
        rows.append(
            (
                f"levin_{n}",
                lambda gray, orig, seed, n=n: levin_colorize(
                    gray, *sample_points(orig, n, seed), max_side=levin_max_side
                ),
                "",
            )
        )
    auto = colorizer("auto", auto_folder)
    if auto is not None:
        rows.append(("restora_auto", lambda gray, orig, seed: colorize_lab(auto, gray), ""))
    else:
        rows.append(
            ("restora_auto", None, "skipped: restora's automatic colorizer has no weights yet")
        )
    hints = colorizer("hints", hints_folder)
    for n in (0, *POINTS):
        name = f"restora_hints_{n}"
        if hints is None:
            rows.append((name, None, "skipped: restora's hint colorizer has no weights yet"))
            continue

        def run(gray, orig, seed, n=n, model=hints):
            if n == 0:
                return colorize_lab(model, gray)
            ab, mask = sample_points(orig, n, seed)
            return colorize_lab(model, gray, hints=ab, hint_mask=mask)

        rows.append((name, run, ""))
    return rows


def benchmark(args: argparse.Namespace) -> None:
    rows = []
    for dataset in args.datasets.split(","):
        files = sorted(shared_path(*DATASETS[dataset]).glob("*.png"))
        images = [(f.stem, img) for f in files if (img := load_colour(f)) is not None]
        if args.limit:
            images = images[: args.limit]
        reference = float(np.mean([colorfulness(img).item() for _, img in images]))
        for name, run, note in methods(args.levin_max_side, args.auto_model, args.hints_model):
            row: dict[str, object] = {"dataset": dataset, "method": name, "images": len(images)}
            if run is None:
                rows.append({**row, "note": note})
                print(f"{dataset} {name}: {note}", flush=True)
                continue
            per_image, seconds = [], 0.0
            for index, (_, image) in enumerate(images):
                gray = turn_gray(image)
                start = time.perf_counter()
                out = run(gray, image, args.seed + index)
                seconds += time.perf_counter() - start
                per_image.append(scores(out, image))
            for key in ("psnr", "ssim", "auc", "colorfulness"):
                row[key] = round(float(np.mean([s[key] for s in per_image])), 4)
            row["s_per_image"] = round(seconds / len(images), 3)
            row["note"] = f"originals' colourfulness {reference:.1f}" if name == "gray" else note
            rows.append(row)
            print(row, flush=True)
    notes = (
        "Gray input = the original's L with a = b = 0. PSNR/SSIM on RGB (8-bit), AuC of the "
        f"ab-error CDF over 0-150 in %, colourfulness (Hasler-Süsstrunk). Hint points: "
        f"single true-colour pixels, numpy seed {args.seed} + image index. Levin solved at "
        f"long side <= {args.levin_max_side} px."
    )
    write_table(args.name, rows, command_line(), notes)


def hint_tensors(image: torch.Tensor, n: int) -> dict[str, torch.Tensor]:
    ab, mask = sample_points(image, n, 0)
    return {"hints": ab, "hint_mask": mask}


def timing(args: argparse.Namespace) -> None:
    g = torch.Generator().manual_seed(0)
    y, x = torch.meshgrid(torch.linspace(0, 1, 3000), torch.linspace(0, 1, 4000), indexing="ij")
    gray = (0.2 + 0.6 * (0.5 + 0.5 * torch.sin(20 * x) * torch.cos(13 * y))).clamp(0, 1)
    gray = (gray + 0.05 * torch.rand(3000, 4000, generator=g)).clamp(0, 1)
    image = gray.expand(1, 3, 3000, 4000).contiguous()
    del gray
    lightness = image_lightness(image)
    rows = []
    cases = [
        (
            "zhang.eccv16 width 1 (untrained)",
            lambda: colorize_lab(create_model("zhang.eccv16"), image),
        ),
        (
            "zhang.eccv16 width 0.25 (untrained)",
            lambda: colorize_lab(create_model("zhang.eccv16", width=0.25), image),
        ),
        (
            "restora colorizer (shipped), automatic",
            lambda: catalogue.load("colorize.siggraph17")(image),
        ),
        (
            "restora colorizer (shipped), 100 points",
            lambda: catalogue.load("colorize.siggraph17")(image, **hint_tensors(image, 100)),
        ),
        (
            "levin 100 points",
            lambda: levin_colorize(
                image, *sample_points(image, 100, 0), max_side=args.levin_max_side
            ),
        ),
    ]
    for name, run in cases:
        start = time.perf_counter()
        out = run()
        seconds = time.perf_counter() - start
        error = (image_lightness(out) - lightness).abs().max().item()
        row = {
            "case": name,
            "size": "4000x3000",
            "seconds": round(seconds, 2),
            "max_abs_dL": round(error, 4),
        }
        rows.append(row)
        print(row, flush=True)
        del out
    notes = (
        f"torch threads {torch.get_num_threads()}; seconds include model construction, full-"
        "resolution L, model at 256 px short side, ab upsampling and the L-keeping conversion."
    )
    write_table(args.name + "_timing", rows, command_line(), notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="CBSD68,Set14")
    parser.add_argument("--limit", type=int, default=0, help="images per dataset (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--levin-max-side", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timing", action="store_true", help="the 4000x3000 acceptance timing")
    parser.add_argument("--name", default="colorize")
    parser.add_argument("--auto-model", default=None, help="model folder instead of the shipped")
    parser.add_argument("--hints-model", default=None, help="model folder instead of the shipped")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    timing(args) if args.timing else benchmark(args)


if __name__ == "__main__":
    main()

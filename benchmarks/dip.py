"""Deep Image Prior benchmark: the official notebook presets next to restora's defaults.

Cases (centre crops of ``--crop`` pixels, 256 by default; images smaller than the crop are used
whole):

- ``f16``: denoising, ``data/dip/denoising/F16_GT.png`` (RGB) + Gaussian noise sigma 25,
  ``torch.Generator().manual_seed(--seed)``, clipped to [0, 1] (as the notebook's
  ``get_noisy_image``).
- ``barbara``, ``house``, ``lena``, ``peppers``: restoration from 50 % of the pixels, Set12 gray
  (``data/dncnn_testsets/Set12``: 09 Barbara, 02 House, 08 Lena, 03 Peppers; 1 channel); a
  Bernoulli drop mask seeded with ``--seed + index``; dropped pixels are set to 0.
- ``kate``: text inpainting, ``data/dip/inpainting/kate.png`` with ``kate_mask.png`` (DIP masks:
  black = hole), next to OpenCV Telea and Navier-Stokes (``restora.ops.inpaint``, radius 5).

Methods: ``official`` (``official_<task>`` preset: the notebook's network, settings and fixed
iteration count) and ``default`` (``default_<task>``: ``dip.skip_fast``, channels-last, ES-WMV
early stopping), both in the same process on the same crops, with the same seed.

Reported per run: ``best_psnr`` / ``best_iter`` (the best image along the run, using the ground
truth for logging only), ``chosen_iter`` / ``chosen_psnr`` (the image the method returns: the
last one for the official presets, the early-stopping choice for the defaults), ``es_gap_db``
(best - chosen), wall ``seconds`` of the fit, and for the defaults ``vs_official_best_db``
(chosen PSNR - the official run's best PSNR) and ``time_vs_official`` (seconds ratio).
PSNR: ``10 log10(1 / MSE)`` over all pixels and channels of the [0, 1] image, no border crop;
restoration and inpainting outputs have their known pixels put back (both methods alike).

Smoke run (seconds): ``.venv/bin/python benchmarks/dip.py --crop 64 --iters 100 --name dip_smoke``.
Full run: ``.venv/bin/python benchmarks/dip.py`` (hours per official run on a 2-core CPU; use
``--device cuda`` where a GPU is available). Results: ``benchmarks/results/<name>.{md,json}``,
PSNR curves in ``<name>.curves.json`` and pictures in ``results/<name>/``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from _common import RESULTS, command_line, shared_path, write_table
from restora.io import read_image, read_mask, write_image
from restora.metrics import psnr
from restora.models.dip import DIPConfig, fit_dip, get_preset, random_drop_mask
from restora.ops.inpaint import inpaint_classical

SET12 = {"barbara": "09.png", "house": "02.png", "lena": "08.png", "peppers": "03.png"}
CASES = ("f16", *SET12, "kate")
METHODS = ("official", "default")


@dataclass
class Case:
    name: str
    task: str
    clean: torch.Tensor  # (1, C, H, W) in [0, 1]
    observed: torch.Tensor  # what DIP sees
    mask: torch.Tensor | None  # (1, 1, H, W), 1 = hole / missing


def _crop(x: torch.Tensor, size: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    ch, cw = min(size, h), min(size, w)
    top, left = (h - ch) // 2, (w - cw) // 2
    return x[..., top : top + ch, left : left + cw].contiguous()


def load_case(name: str, crop: int, seed: int) -> Case:
    if name == "f16":
        clean = _crop(read_image(shared_path("data/dip/denoising/F16_GT.png")).image, crop)
        noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(seed))
        return Case(name, "denoise", clean, (clean + 25 / 255 * noise).clamp(0, 1), None)
    if name in SET12:
        path = shared_path("data/dncnn_testsets/Set12", SET12[name])
        clean = _crop(read_image(path).image[:, :1], crop)
        index = list(SET12).index(name)
        generator = torch.Generator().manual_seed(seed + index)
        mask = random_drop_mask(tuple(clean.shape[-2:]), 0.5, generator=generator)
        return Case(name, "restore", clean, clean * (1 - mask), mask)
    if name == "kate":
        image = read_image(shared_path("data/dip/inpainting/kate.png")).image
        mask = read_mask(
            shared_path("data/dip/inpainting/kate_mask.png"),
            size=tuple(image.shape[-2:]),
            hole_value="black",
        )
        clean, mask = _crop(image, crop), _crop(mask, crop)
        return Case(name, "inpaint", clean, clean * (1 - mask), mask)
    raise SystemExit(f"unknown case {name!r} (known: {', '.join(CASES)})")


def preset_for(method: str, task: str, args: argparse.Namespace) -> DIPConfig:
    config = get_preset(f"{method}_{task}")
    changes: dict[str, int] = {}
    if args.iters_scale != 1.0:
        changes["iterations"] = max(1, round(config.iterations * args.iters_scale))
        changes["es_window"] = max(2, round(config.es_window * args.iters_scale))
        changes["es_patience"] = max(1, round(config.es_patience * args.iters_scale))
    if args.iters is not None:
        changes["iterations"] = args.iters
    return config.replace(**changes) if changes else config


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(psnr(a.float(), b.float())[0])


def _picture(folder: Path, name: str, image: torch.Tensor) -> None:
    write_image(folder / f"{name}.png", image.clamp(0, 1), overwrite=True)


def run_case(case: Case, args: argparse.Namespace, folder: Path | None) -> tuple[list, dict]:
    rows, curves, official_best, official_seconds = [], {}, None, None
    size = f"{case.clean.shape[-1]}x{case.clean.shape[-2]}"
    if folder is not None:
        _picture(folder, f"{case.name}_clean", case.clean)
        _picture(folder, f"{case.name}_input", case.observed)
    for method in args.methods:
        config = preset_for(method, case.task, args)
        result = fit_dip(
            case.observed,
            config,
            mask=case.mask,
            ground_truth=case.clean,
            seed=args.seed,
            device=args.device,
        )
        best_iter, best = result.best_psnr
        chosen = result.chosen_psnr
        row = {
            "case": case.name,
            "task": case.task,
            "size": size,
            "method": f"dip {method}",
            "preset": f"{method}_{case.task}",
            "iters_cap": config.iterations,
            "iters_run": result.iterations_run,
            "best_psnr": round(best, 2),
            "best_iter": best_iter,
            "chosen_iter": result.chosen_iteration,
            "chosen_psnr": round(chosen, 2),
            "es_gap_db": round(best - chosen, 2),
            "stopped_early": result.stopped_early,
            "seconds": round(result.seconds, 1),
            "ms_per_iter": round(1000 * result.seconds / max(result.iterations_run, 1), 1),
            "backtracks": result.backtracks,
        }
        if method == "official":
            official_best, official_seconds = best, result.seconds
        elif official_best is not None and official_seconds:
            row["vs_official_best_db"] = round(chosen - official_best, 2)
            row["time_vs_official"] = round(result.seconds / official_seconds, 3)
        rows.append(row)
        curves[f"{case.name}/{method}"] = {
            "psnr_every_10": [round(v, 3) for v in result.psnr_history[::10]],
            "variance": [(i, v) for i, v in result.variance_history[::10]],
            "chosen_iter": result.chosen_iteration,
        }
        if folder is not None:
            _picture(folder, f"{case.name}_{method}", result.image)
        print(
            f"{case.name:8s} {method:8s} best {best:6.2f} dB @ {best_iter:5d}  chosen "
            f"{chosen:6.2f} dB @ {result.chosen_iteration:5d}  {result.seconds:8.1f} s",
            flush=True,
        )
    if case.task == "inpaint":
        for method in ("telea", "ns"):
            start = time.perf_counter()
            filled = inpaint_classical(case.observed, case.mask, method=method, radius=5)
            seconds = time.perf_counter() - start
            value = _psnr(filled, case.clean)
            rows.append(
                {
                    "case": case.name,
                    "task": case.task,
                    "size": size,
                    "method": method,
                    "chosen_psnr": round(value, 2),
                    "seconds": round(seconds, 3),
                }
            )
            if folder is not None:
                _picture(folder, f"{case.name}_{method}", filled)
            print(f"{case.name:8s} {method:8s} {value:6.2f} dB  {seconds:8.3f} s", flush=True)
    return rows, curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--methods", default=",".join(METHODS), help="official,default")
    parser.add_argument("--crop", type=int, default=256, help="centre crop size")
    parser.add_argument("--iters", type=int, default=None, help="cap every run at N iterations")
    parser.add_argument(
        "--iters-scale",
        type=float,
        default=1.0,
        help="scale iteration counts and early-stopping window/patience (smoke runs)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--name", default="dip", help="results/<name>.{md,json}")
    parser.add_argument("--no-pictures", action="store_true")
    args = parser.parse_args()
    args.methods = [m for m in args.methods.split(",") if m]
    if unknown := set(args.methods) - set(METHODS):
        raise SystemExit(f"unknown methods {sorted(unknown)} (known: {', '.join(METHODS)})")
    torch.set_num_threads(args.threads)
    folder = None if args.no_pictures else RESULTS / args.name
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    rows, curves = [], {}
    for name in [c for c in args.cases.split(",") if c]:
        case = load_case(name, args.crop, args.seed)
        if case.mask is not None and not bool(case.mask.any()):
            print(f"{name:8s} skipped: the {args.crop} px centre crop has no holes", flush=True)
            continue
        case_rows, case_curves = run_case(case, args, folder)
        rows += case_rows
        curves.update(case_curves)
    notes = (
        f"Centre crops of {args.crop} px, seed {args.seed}, {args.threads} CPU thread(s) on "
        f"{args.device}. PSNR of the returned image against the clean crop (known pixels put "
        "back for restore / inpaint). Official presets return their last iterate; defaults the "
        "early-stopping choice (no ground truth used). Times are wall seconds of the fit on a "
        "shared machine."
    )
    if args.iters is not None or args.iters_scale != 1.0:
        notes += " SMOKE RUN: iteration counts were reduced, the numbers say nothing about DIP."
    write_table(args.name, rows, command_line(), notes)
    curves_path = RESULTS / f"{args.name}.curves.json"
    curves_path.write_text(json.dumps(curves) + "\n", encoding="utf-8")
    worst = max((r.get("es_gap_db", 0.0) for r in rows), default=math.nan)
    print(f"results -> {RESULTS / args.name}.md (largest early-stopping gap {worst} dB)")


if __name__ == "__main__":
    main()

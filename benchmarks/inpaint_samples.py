"""Several completions per input (issue #7, ``--samples N``): how different they are, that each
keeps the known pixels exactly, what each scores, and how long they take.

Photos: centre crops of CBSD68 / Set14 (never trained on); masks: the held-out NVIDIA masks of
``benchmarks/inpaint.py`` (sorted index i % 10 == 0), resized to the crop and picked from one
hole-ratio band the same way. Every sample goes through ``restora.restore(..., stages=["inpaint"],
inpaint={"method": "dip", "samples": N})`` exactly as ``restora restore --samples N`` runs it;
Telea (deterministic) is the reference row. Strips: results/inpaint_samples/.

    .venv/bin/python benchmarks/inpaint_samples.py --photos cbsd68/101085,set14/baboon
"""

from __future__ import annotations

import argparse
import itertools
import time

import torch

import restora
from _common import RESULTS, command_line, shared_path, write_table
from inpaint import (
    MASK_FOLDER,
    Case,
    Photo,
    assign_mask,
    catalogue,
    flip_mask,
    parse_bands,
    picture,
    resize_mask,
)
from restora.data.nvidia_masks import NvidiaMasks
from restora.io import read_image
from restora.metrics import psnr, quantize_8bit, ssim
from restora.ops.inpaint import inpaint_classical


def centre_crop(image: torch.Tensor, size: int) -> torch.Tensor:
    h, w = image.shape[-2:]
    top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return image[..., top : top + size, left : left + size]


def held_out_case(photo: Photo, size: tuple[int, int], band: tuple[int, int]) -> Case:
    masks = NvidiaMasks(shared_path(*MASK_FOLDER), split="test", test_every=10)
    resized = [resize_mask(masks.load(i), *size) for i in range(len(masks))]
    position, flip = assign_mask([float(m.mean()) for m in resized], band, photo.index)
    return Case(photo, masks.paths[position].name, flip, flip_mask(resized[position], flip))


def scores(out: torch.Tensor, clean: torch.Tensor) -> dict:
    out = quantize_8bit(out.float().clamp(0, 1))
    return {
        "psnr": round(float(psnr(out, clean)[0]), 3),
        "ssim": round(float(ssim(out, clean)[0]), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", default="cbsd68/101085,set14/baboon")
    parser.add_argument("--crop", type=int, default=192)
    parser.add_argument("--band", default="20-30", help="hole-ratio band in percent")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--dip-iterations", type=int, default=None, help="cap each DIP fit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="inpaint_samples")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    band = parse_bands(args.band)[0]
    by_name = {p.name: p for p in catalogue()}
    rows = []
    (RESULTS / args.name).mkdir(parents=True, exist_ok=True)
    for name in args.photos.split(","):
        photo = by_name[name]
        clean = centre_crop(quantize_8bit(read_image(photo.path).image), args.crop)
        case = held_out_case(photo, tuple(clean.shape[-2:]), band)
        mask = case.mask
        holed = clean * (1 - mask)
        start = time.perf_counter()
        telea = inpaint_classical(holed, mask, method="telea")
        common = {
            "photo": name,
            "mask": case.mask_file,
            "hole_pct": round(100 * float(mask.mean()), 2),
        }
        seconds = round(time.perf_counter() - start, 3)
        rows.append({**common, "method": "telea", **scores(telea, clean), "seconds": seconds})
        start = time.perf_counter()
        result = restora.restore(
            holed,
            mask=mask,
            stages=["inpaint"],
            inpaint={
                "method": "dip",
                "samples": args.samples,
                "dilate": 0,
                "dip_iterations": args.dip_iterations,
            },
        )
        seconds = time.perf_counter() - start
        samples = [quantize_8bit(s) for s in result.samples]
        known = (mask < 0.5).expand_as(clean)
        hole = ~known
        pairwise = [
            float((a - b)[hole].abs().mean()) * 255 for a, b in itertools.combinations(samples, 2)
        ]
        for index, sample in enumerate(samples, 1):
            rows.append(
                {
                    **common,
                    "method": f"dip sample {index} (seed {index - 1})",
                    **scores(sample, clean),
                    "seconds": round(seconds / len(samples), 3),
                    "known_max_diff_255": float((sample - holed)[known].abs().max()) * 255,
                    "min_pairwise_hole_l1_255": round(min(pairwise), 3),
                }
            )
        outputs = {"telea": (quantize_8bit(telea), rows[-len(samples) - 1]["psnr"])}
        outputs |= {
            f"dip #{i}": (s, r["psnr"])
            for i, (s, r) in enumerate(zip(samples, rows[-len(samples) :], strict=True), 1)
        }
        png = picture(case, clean, outputs)
        (RESULTS / args.name / f"{name.replace('/', '_')}.png").write_bytes(png)
        print(rows[-len(samples) - 1 :], flush=True)
    notes = (
        f"Centre {args.crop}x{args.crop} crops, one held-out NVIDIA mask each (band {args.band} %, "
        "chosen as in benchmarks/inpaint.py). PSNR/SSIM on RGB 8-bit against the original crop. "
        "known_max_diff_255: largest change of a known pixel (0 = kept exactly); "
        "min_pairwise_hole_l1_255: smallest mean absolute difference inside the holes between two "
        "samples, in 8-bit levels. DIP = preset default_inpaint (early stopping), iterations "
        f"capped at {args.dip_iterations or 'the preset cap'}; seconds per sample, "
        f"{args.threads} threads."
    )
    write_table(args.name, rows, command_line(), notes)


if __name__ == "__main__":
    main()

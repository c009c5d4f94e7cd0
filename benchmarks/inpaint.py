"""Inpainting on held-out photos and held-out NVIDIA irregular masks: classical vs learned.

Protocol (the same for every method):

- Photos no restora model trained on: CBSD68 (``data/ffdnet_testsets/CBSD68``, the 68 colour
  BSDS500 *val* photos, 481x321 / 321x481) and Set14 (``data/sr_testsets/Set14``, 14 photos,
  250x361 to 768x512; the gray ``bridge.png`` is read as 3 equal channels). Photo index ``j``
  is the position in the catalogue "CBSD68 sorted by name, then Set14 sorted by name" (0..81),
  whatever ``--sets`` / ``--per-band`` select, so a subset run uses the same masks as a full
  run. ``--per-band N`` keeps N photos spread evenly over the selected ones
  (``round(linspace(0, n - 1, N))``); every band uses the same photos.
- Masks: the held-out split of ``train/nvidia_irregular_masks_test`` (2000 files of 512x512):
  ``NvidiaMasks(folder, split="test", test_every=10)``, i.e. sorted files ``i % 10 == 0``,
  200 files, none of which restora's inpainting training uses. No random crop or augmentation:
  each file is resized whole to the photo's size by **area averaging, thresholded at >= 0.5**
  (as ``NvidiaMasks`` does), and its hole ratio is measured *at that size*.
- Bands of hole ratio ``[lo, hi)`` percent (default 0-10, 10-20, 20-30, 30-40, 40-50). For
  photo ``j`` and a band, the candidates are the held-out masks (sorted) whose resized ratio
  falls in the band; the photo gets candidate ``j mod n`` (n = number of candidates, about 33
  per band), flipped by ``(j div n) mod 4`` (0 none, 1 left-right, 2 up-down, 3 both; the flip
  is applied after resizing, so the ratio stays in the band). The assignment is deterministic
  and listed in ``inpaint.per_image.json``.
- Methods, in one process: the classical fills of ``restora.ops.inpaint.inpaint_classical``
  (``telea`` and ``ns`` with radius 5, ``fsr_fast``, ``biharmonic``; ``fsr_best`` only on
  request: it takes minutes per image), and restora models: the packaged
  ``restora/weights/inpaint/<name>/`` folders (named by folder) and ``--model NAME=FOLDER``
  folders written by ``restora.models.save_model``. A model gets the photo with holes set to 0
  and the mask ``(1, 1, H, W)``, 1 = hole (the training input); its output is clamped to
  [0, 1] and composited, ``mask * pred + (1 - mask) * photo``. ``--views 2 4 auto`` adds rows
  ``NAME_v2`` / ``NAME_v4`` (the clamped predictions for the photo and its mirror images
  averaged, as the pipeline's ``inpaint.views`` does) and ``NAME_auto`` (the pipeline's default
  choice for the photo's size: 4 views up to 0.2 MP, so every CBSD68 photo, 2 up to 0.4 MP).
- Metrics of the composite, rounded to 8 bits, against the clean photo, over all pixels and
  all three RGB channels, no border crop: PSNR and SSIM (``restora.metrics.psnr`` / ``ssim``,
  data range 1) and mean absolute error in 8-bit levels (``l1_255``, 0..255). ``s_per_image``
  is the wall time of the fill call only (the model's forward pass under
  ``torch.inference_mode``), one thread by default (``--threads``, also OpenCV's). Rows are
  means over the photos of a band; ``all`` rows average over every (band, photo) pair. ``best``
  marks the highest PSNR / SSIM of each band. ``hole_pct`` is the mean hole ratio actually
  used.

Pictures (``--pictures``, default ``benchmarks/results/inpaint_examples/``): for
``--picture-count`` (photo, band) pairs, photo ``k`` spread evenly over the evaluated photos and
band ``k mod (number of bands)``, a strip "input with holes (white) | each method | ground truth"
with the method's PSNR, downscaled until the PNG is under 400 KB.

Run: ``.venv/bin/python benchmarks/inpaint.py`` (all), e.g.
``.venv/bin/python benchmarks/inpaint.py --per-band 20 --skip biharmonic`` or, to add a model to
existing results without recomputing the rest,
``.venv/bin/python benchmarks/inpaint.py --methods none --model mine=runs/x/model --merge``
(the example strips then redo the classical methods of the old rows on their few photos).
Results: ``benchmarks/results/inpaint.{md,json}`` and per-image scores and mask assignments in
``inpaint.per_image.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

import restora
from _common import RESULTS, command_line, shared_path, write_table
from restora.data.nvidia_masks import NvidiaMasks
from restora.io import read_image
from restora.io.arrays import tensor_to_numpy
from restora.metrics import psnr, quantize_8bit, ssim
from restora.ops.inpaint import CLASSICAL_INPAINTERS, inpaint_classical

SETS = {
    "cbsd68": ("data", "ffdnet_testsets", "CBSD68"),
    "set14": ("data", "sr_testsets", "Set14"),
}
MASK_FOLDER = ("train", "nvidia_irregular_masks_test")
DEFAULT_BANDS = "0-10,10-20,20-30,30-40,40-50"
DEFAULT_METHODS = "telea,ns,fsr_fast,biharmonic"
FLIPS = ("", "lr", "ud", "lr+ud")
PICTURE_BYTES = 400_000

Fill = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Photo:
    index: int  # position in the catalogue (CBSD68 then Set14, sorted)
    name: str  # "cbsd68/101085"
    path: Path


@dataclass
class Case:
    photo: Photo
    mask_file: str
    flip: int
    mask: torch.Tensor  # (1, 1, H, W) in {0, 1}, 1 = hole


def parse_bands(text: str) -> list[tuple[int, int]]:
    """Bands in percent from ``"0-10,10-20"``: ``[(0, 10), (10, 20)]`` (``lo`` included)."""
    bands = []
    for item in text.split(","):
        lo, hi = (int(v) for v in item.split("-"))
        if not 0 <= lo < hi <= 100:
            raise ValueError(f"bad band {item!r}: need 0 <= lo < hi <= 100")
        bands.append((lo, hi))
    return bands


def band_name(band: tuple[int, int]) -> str:
    return f"{band[0]}-{band[1]}"


def resize_mask(mask: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Whole mask file -> (1, 1, height, width): area average, >= 0.5 is a hole."""
    return (F.interpolate(mask, size=(height, width), mode="area") >= 0.5).float()


def flip_mask(mask: torch.Tensor, flip: int) -> torch.Tensor:
    dims = {0: [], 1: [-1], 2: [-2], 3: [-2, -1]}[flip]
    return mask.flip(dims) if dims else mask


def assign_mask(ratios: Sequence[float], band: tuple[int, int], index: int) -> tuple[int, int]:
    """(mask position, flip) for catalogue photo ``index`` in ``band`` (percent, [lo, hi)).

    ``ratios[i]`` is held-out mask ``i``'s hole ratio at the photo's size. The candidates are the
    masks whose ratio is in the band, in sorted order; the photo gets candidate ``index mod n``
    with flip ``(index div n) mod 4``.
    """
    lo, hi = band[0] / 100, band[1] / 100
    candidates = [i for i, r in enumerate(ratios) if lo <= r < hi and r > 0]
    if not candidates:
        raise ValueError(f"no held-out mask has a hole ratio in {band_name(band)} %")
    return candidates[index % len(candidates)], (index // len(candidates)) % len(FLIPS)


def catalogue() -> list[Photo]:
    photos = []
    for set_name, parts in SETS.items():
        for path in sorted(shared_path(*parts).glob("*.png")):
            photos.append(Photo(len(photos), f"{set_name}/{path.stem}", path))
    return photos


def select_photos(photos: list[Photo], sets: list[str], per_band: int | None) -> list[Photo]:
    chosen = [p for p in photos if p.name.split("/")[0] in sets]
    if per_band is not None and per_band < len(chosen):
        keep = np.round(np.linspace(0, len(chosen) - 1, per_band)).astype(int)
        chosen = [chosen[i] for i in sorted(set(keep.tolist()))]
    return chosen


def build_cases(
    photos: list[Photo], images: dict[str, torch.Tensor], bands: list[tuple[int, int]]
) -> dict[str, list[Case]]:
    """The (photo, mask) pairs of each band; resized ratios are computed once per photo size."""
    masks = NvidiaMasks(shared_path(*MASK_FOLDER), split="test", test_every=10)
    files = [masks.load(i) for i in range(len(masks))]
    by_size: dict[tuple[int, int], tuple[list[torch.Tensor], list[float]]] = {}
    cases: dict[str, list[Case]] = {band_name(b): [] for b in bands}
    for photo in photos:
        size = tuple(images[photo.name].shape[-2:])
        if size not in by_size:
            resized = [resize_mask(m, *size) for m in files]
            by_size[size] = resized, [float(m.mean()) for m in resized]
        resized, ratios = by_size[size]
        for band in bands:
            position, flip = assign_mask(ratios, band, photo.index)
            mask = flip_mask(resized[position], flip)
            cases[band_name(band)].append(Case(photo, masks.paths[position].name, flip, mask))
    return cases


def classical_fill(method: str) -> Fill:
    return lambda image, mask: inpaint_classical(image, mask, method=method)


def model_fill(folder: Path, views: str = "1") -> tuple[Fill, int]:
    """A saved model's fill; ``views`` 2 / 4 / auto average mirrored passes as the pipeline does
    (the model run like the shipped ``inpaint.refine``; auto = its view budget for the photo's
    size, the pipeline's default)."""
    from restora.models import catalogue, load_model

    model = load_model(folder).eval()
    network = catalogue.prepare(load_model(folder), "inpaint.refine")

    def fill(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if views != "1":
            count = network.auto_views(*image.shape[-2:]) if views == "auto" else int(views)
            return network(image, mask, views=count)
        with torch.inference_mode():
            pred = model(image * (1 - mask), mask).float().clamp(0, 1)
        return mask * pred + (1 - mask) * image

    return fill, sum(p.numel() for p in model.parameters())


def pipeline_fill() -> Fill:
    """What ``restora restore`` does with a mask the user gives (``inpaint`` stage defaults:
    the shipped network with its auto views, averaged with FSR fast by
    ``inpaint.fsr_weight``)."""

    def fill(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return restora.restore(image, mask=mask, stages=["inpaint"]).image

    return fill


def packaged_models() -> dict[str, Path]:
    root = Path(restora.__file__).resolve().parent / "weights" / "inpaint"
    return {p.parent.name: p.parent for p in sorted(root.glob("*/config.json"))}


def evaluate(fill: Fill, cases: list[Case], images: dict[str, torch.Tensor]) -> list[dict]:
    """Per-case scores: psnr, ssim, l1_255, seconds (and the 8-bit composite)."""
    results = []
    for case in cases:
        clean = images[case.photo.name]
        start = time.perf_counter()
        out = fill(clean, case.mask)
        seconds = time.perf_counter() - start
        out = quantize_8bit(out.float().clamp(0, 1))
        results.append(
            {
                "psnr": float(psnr(out, clean)[0]),
                "ssim": float(ssim(out, clean)[0]),
                "l1_255": float((out - clean).abs().mean()) * 255,
                "seconds": seconds,
                "output": out,
            }
        )
    return results


def summary_row(band: str, method: str, scores: list[dict], holes: list[float]) -> dict:
    return {
        "band": band,
        "method": method,
        "photos": len(scores),
        "hole_pct": round(100 * statistics.fmean(holes), 2),
        "psnr": round(statistics.fmean(s["psnr"] for s in scores), 3),
        "ssim": round(statistics.fmean(s["ssim"] for s in scores), 4),
        "l1_255": round(statistics.fmean(s["l1_255"] for s in scores), 3),
        "s_per_image": round(statistics.fmean(s["seconds"] for s in scores), 4),
    }


def mark_best(rows: list[dict]) -> None:
    for band in {r["band"] for r in rows}:
        group = [r for r in rows if r["band"] == band]
        for row in group:
            row["best"] = ""
        for metric in ("psnr", "ssim"):
            top = max(r[metric] for r in group)
            for row in group:
                if row[metric] == top:
                    row["best"] = " ".join(filter(None, [row["best"], metric.upper()]))


def add_all_rows(rows: list[dict], per_image: dict) -> list[dict]:
    """Per method, the mean over every (band, photo) pair of the bands it was measured on."""
    rows = [r for r in rows if r["band"] != "all"]
    bands = list(dict.fromkeys(r["band"] for r in rows))
    out = list(rows)
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        if [r["band"] for r in mine] != bands:
            continue  # not measured on every band: no overall mean
        scores = [s for b in bands for s in per_image["scores"][f"{b}/{method}"].values()]
        holes = [h for b in bands for h in per_image["masks"][b].values()]
        row = summary_row("all", method, scores, [h["hole_pct"] / 100 for h in holes])
        out.append({**row, "params": mine[0].get("params", "")})
    return out


def picture(
    case: Case, clean: torch.Tensor, outputs: dict[str, tuple[torch.Tensor, float]]
) -> bytes:
    """PNG bytes of "input | methods | ground truth", under PICTURE_BYTES."""
    holed = clean * (1 - case.mask) + case.mask
    panels = [(f"input {100 * float(case.mask.mean()):.0f}% holes", holed)]
    panels += [(f"{name} {value:.2f} dB", out) for name, (out, value) in outputs.items()]
    panels.append(("ground truth", clean))
    arrays = [(label, tensor_to_numpy(image, np.uint8)) for label, image in panels]
    height, width = arrays[0][1].shape[:2]
    scale = min(1.0, 256 / height)
    while True:
        h, w = max(16, round(height * scale)), max(16, round(width * scale))
        tiles = []
        for label, array in arrays:
            tile = cv2.resize(array, (w, h), interpolation=cv2.INTER_AREA)
            banner = np.full((18, w, 3), 255, np.uint8)
            cv2.putText(banner, label, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
            tiles.append(np.concatenate([banner, tile], axis=0))
            tiles.append(np.full((h + 18, 4, 3), 255, np.uint8))
        strip = np.concatenate(tiles[:-1], axis=1)
        bgr = np.ascontiguousarray(strip[:, :, ::-1])
        ok, data = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        assert ok
        if len(data) <= PICTURE_BYTES or scale < 0.2:
            return data.tobytes()
        scale *= 0.85


def merge(name: str, rows: list[dict], per_image: dict, commands: list[str]) -> tuple:
    """Keep the old (band, method) rows that were not measured again (same photos only)."""
    old_path, old_images_path = RESULTS / f"{name}.json", RESULTS / f"{name}.per_image.json"
    if not old_path.is_file() or not old_images_path.is_file():
        return rows, per_image, commands
    old = json.loads(old_path.read_text(encoding="utf-8"))
    old_images = json.loads(old_images_path.read_text(encoding="utf-8"))
    for band, masks in per_image["masks"].items():
        if band in old_images["masks"] and old_images["masks"][band] != masks:
            raise SystemExit(f"--merge: band {band} used other photos or masks before")
    fresh = {(r["band"], r["method"]) for r in rows}
    kept = [r for r in old["rows"] if r["band"] != "all" and (r["band"], r["method"]) not in fresh]
    merged_images = {
        "masks": {**old_images["masks"], **per_image["masks"]},
        "scores": {**old_images["scores"], **per_image["scores"]},
    }
    old_commands = [c for c in old["command"].split("\n") if c and c not in commands]
    return kept + rows, merged_images, old_commands + commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="cbsd68,set14", help="cbsd68, set14 (comma-separated)")
    parser.add_argument("--per-band", type=int, default=None, help="N photos per band (all: 82)")
    parser.add_argument("--bands", default=DEFAULT_BANDS, help="hole-ratio bands in percent")
    parser.add_argument(
        "--methods",
        default=DEFAULT_METHODS,
        help=f"classical methods ({', '.join(CLASSICAL_INPAINTERS.names())}), or none",
    )
    parser.add_argument(
        "--model", action="append", default=[], help="NAME=FOLDER: a saved restora model"
    )
    parser.add_argument(
        "--views",
        nargs="+",
        default=["1"],
        choices=["1", "2", "4", "auto"],
        help="each model with 1 / 2 / 4 mirrored views averaged, or the pipeline's auto choice "
        "(rows NAME, NAME_v2, NAME_v4, NAME_auto)",
    )
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="add the row `pipeline`: restora.restore(photo, mask=mask, stages=['inpaint'])",
    )
    parser.add_argument("--skip", default="", help="methods or models to leave out")
    parser.add_argument("--threads", type=int, default=1, help="torch and OpenCV threads")
    parser.add_argument("--pictures", type=Path, default=RESULTS / "inpaint_examples")
    parser.add_argument("--picture-count", type=int, default=5, help="0: no pictures")
    parser.add_argument("--merge", action="store_true", help="update the existing results")
    parser.add_argument("--name", default="inpaint", help="results/<name>.md/.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    skip = set(filter(None, args.skip.split(",")))
    sets = [s for s in args.sets.split(",") if s]
    if unknown := [s for s in sets if s not in SETS]:
        parser.error(f"unknown sets {unknown}; choose from {list(SETS)}")
    bands = parse_bands(args.bands)

    fills: dict[str, tuple[Fill, int | str]] = {}
    for method in (m for m in args.methods.split(",") if m not in ("", "none")):
        CLASSICAL_INPAINTERS.get(method)  # unknown names raise with close matches
        fills[method] = classical_fill(method), ""
    models = packaged_models()
    models.update(dict(item.split("=", 1) for item in args.model))
    for name, folder in models.items():
        if name in fills:
            parser.error(f"model name {name!r} is also a classical method")
        for views in args.views:
            row = name if views == "1" else f"{name}_{'auto' if views == 'auto' else 'v' + views}"
            if row not in skip and name not in skip:
                fills[row] = model_fill(Path(folder), views)
    if args.pipeline:
        fills["pipeline"] = pipeline_fill(), ""
    fills = {k: v for k, v in fills.items() if k not in skip}
    if not fills and not args.merge:
        parser.error("no method to run")

    photos = select_photos(catalogue(), sets, args.per_band)
    images = {p.name: read_image(p.path).image for p in photos}
    cases = build_cases(photos, images, bands)
    per_image: dict = {
        "masks": {
            band: {
                c.photo.name: {
                    "mask": c.mask_file,
                    "flip": FLIPS[c.flip],
                    "hole_pct": round(100 * float(c.mask.mean()), 3),
                }
                for c in band_cases
            }
            for band, band_cases in cases.items()
        },
        "scores": {},
    }
    wanted = []
    if args.picture_count > 0:
        count = min(args.picture_count, len(photos))
        spread = np.round(np.linspace(0, len(photos) - 1, count)).astype(int)
        wanted = [(int(j), band_name(bands[k % len(bands)])) for k, j in enumerate(spread)]
    outputs: dict[tuple[int, str], dict[str, tuple[torch.Tensor, float]]] = {}

    rows = []
    for band, band_cases in cases.items():
        holes = [float(c.mask.mean()) for c in band_cases]
        for method, (fill, params) in fills.items():
            start = time.perf_counter()
            scores = evaluate(fill, band_cases, images)
            rows.append({**summary_row(band, method, scores, holes), "params": params})
            per_image["scores"][f"{band}/{method}"] = {
                c.photo.name: {k: round(s[k], 4) for k in ("psnr", "ssim", "l1_255", "seconds")}
                for c, s in zip(band_cases, scores, strict=True)
            }
            for j, pic_band in wanted:
                if pic_band == band:
                    outputs.setdefault((j, band), {})[method] = (
                        scores[j]["output"],
                        scores[j]["psnr"],
                    )
            total = time.perf_counter() - start
            print(json.dumps({**rows[-1], "total_s": round(total, 1)}), flush=True)

    commands = [command_line()] if rows else []
    if args.merge:
        rows, per_image, commands = merge(args.name, rows, per_image, commands)
    order = {b: i for i, b in enumerate(per_image["masks"])}
    methods = list(dict.fromkeys(r["method"] for r in rows))
    rows.sort(key=lambda r: (order.get(r["band"], len(order)), methods.index(r["method"])))
    rows = add_all_rows(rows, per_image)
    mark_best(rows)

    if outputs:
        args.pictures.mkdir(parents=True, exist_ok=True)
        for (j, band), fresh in outputs.items():
            case = cases[band][j]
            strip = {}
            for method in methods:  # with --merge: redo the old classical rows for the strip
                if method not in fresh and method in CLASSICAL_INPAINTERS.names():
                    (score,) = evaluate(classical_fill(method), [case], images)
                    fresh[method] = score["output"], score["psnr"]
                if method in fresh:
                    strip[method] = fresh[method]
            path = args.pictures / f"{band}_{case.photo.name.replace('/', '_')}.png"
            path.write_bytes(picture(case, images[case.photo.name], strip))
            print(f"wrote {path} ({path.stat().st_size // 1000} KB)")

    protocol = __doc__.split("Protocol (the same for every method):")[1].split("Pictures")[0]
    notes = f"{len(photos)} photos per band. Protocol:\n" + protocol.strip()
    write_table(args.name, rows, "\n".join(commands), notes)
    (RESULTS / f"{args.name}.per_image.json").write_text(
        json.dumps(per_image, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()

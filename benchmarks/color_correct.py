"""Tone decisions and colour correction of faded colour photos, measured on photos not tuned on.

Two parts, both on synthetic prints of clean photos (every print also goes through a scan:
JPEG quality 75-95):

* **tone**: the confusion matrix of ``restora.io.detect_tone`` on colour photos, faded colour
  prints, sepia, gray and cyanotype prints (and, for information, warm-black, selenium and
  hand-tinted prints). The print renderers are ``benchmarks/robustness/tones.py`` (written for
  the damage benchmark, not for the classifier) plus restora's own aging (``age_photo``: partial
  sepia toning up to 0.65, fading, grain, blur, with a colour cast half the time: the "aged
  tint" of ``make demo``'s old example).
* **correct**: mean CIEDE2000 to the original photo of the faded prints after each correction:
  none, per-channel auto-levels, gray-world, restora's ``correct_fade`` (``color.method =
  fade``), and the pipeline's default ``correct_color`` (``auto``: restora's correction where
  the photo is clearly faded, nothing otherwise); the same on the clean colour photos shows
  what each does to a photo that needs nothing.

``tune`` prints the same measurements on BSDS500 *train* photos, where the classifier's residual
threshold and the correction's parameters were chosen; the report runs on CBSD68, the colour
photos of Set14 and BSDS500 test ``[100:200]`` (none of them tuned on). Real old photos
(``real_photos``, ``old_photos``: evaluation only) are counted by tone, no pictures kept.

    .venv/bin/python benchmarks/color_correct.py                # report -> results/color_correct*
    .venv/bin/python benchmarks/color_correct.py tune [--count 120]
    .venv/bin/python benchmarks/color_correct.py search [--count 40]   # the correction's parameters
    .venv/bin/python benchmarks/color_correct.py gate [--count 120]    # the stage's limits
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from _common import command_line, shared_path, write_table
from restora.data.aging import age_photo, color_cast
from restora.data.jpeg import jpeg_roundtrip
from restora.io import detect_tone, read_image
from restora.io.arrays import numpy_to_tensor
from restora.io.tone import tone_features
from restora.metrics import mean_delta_e2000
from restora.ops.color_correct import auto_levels, correct_fade, fade_estimate, gray_world
from restora.pipeline.stages.correct_color import needs_correction
from robustness.photos import SET14_COLOUR
from robustness.tones import TONES

Render = Callable[[np.ndarray, np.random.Generator], torch.Tensor]
# kind -> the tone a person would give it (None: shown for information, no single right answer)
EXPECTED = {
    "colour": "color",
    "faded colour (dye fade)": "color",
    "faded colour (aged tint)": "color",
    "sepia": "sepia",
    "gray": "monochrome",
    "cyanotype": "cyanotype",
    "warm black": None,
    "selenium": None,
    "hand-tinted": None,
}
FADED = ("faded colour (dye fade)", "faded colour (aged tint)")


def aged_tint(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """restora's own aging of a colour print: partial sepia 0-0.65, fading, grain, blur, and a
    colour cast half the time."""
    image = age_photo(numpy_to_tensor(photo), rng=rng, sepia_strength=float(rng.uniform(0, 0.65)))
    if rng.random() < 0.5:
        image = color_cast(image, rng=rng, strength=float(rng.uniform(0.03, 0.1)))
    return image[0].permute(1, 2, 0).numpy()


RENDERERS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "colour": lambda photo, rng: photo,
    "faded colour (dye fade)": TONES["faded_colour"],
    "faded colour (aged tint)": aged_tint,
    "sepia": TONES["sepia_faded"],
    "gray": TONES["gray"],
    "cyanotype": TONES["cyanotype"],
    "warm black": TONES["warm_black"],
    "selenium": TONES["selenium"],
    "hand-tinted": TONES["hand_tinted"],
}


def scanned(print_: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
    """A print as a scan: float32 ``(1, 3, H, W)`` through JPEG quality 75-95."""
    image = numpy_to_tensor(np.clip(print_, 0, 1).astype(np.float32))
    return jpeg_roundtrip(image, int(rng.integers(75, 96)))


def load(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), np.float32) / 255.0


def tuning_photos(count: int) -> list[Path]:
    return sorted(shared_path("train", "bsds500_train").glob("*.jpg"))[:count]


def report_photos() -> list[Path]:
    cbsd = sorted(shared_path("data", "ffdnet_testsets", "CBSD68").glob("*.png"))
    set14 = [shared_path("data", "sr_testsets", "Set14", f"{n}.png") for n in SET14_COLOUR]
    bsds_test = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))[100:200]
    return cbsd + set14 + bsds_test


def render_all(photos: list[Path], seed: int) -> dict[str, list[tuple[torch.Tensor, torch.Tensor]]]:
    """kind -> [(scanned print, clean original)] for every photo (same seed, same prints)."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = collections.defaultdict(list)
    for path in photos:
        photo = load(path)
        original = numpy_to_tensor(photo)
        for kind, render in RENDERERS.items():
            out[kind].append((scanned(render(photo, rng), rng), original))
    return out


def confusion(prints: dict[str, list[tuple[torch.Tensor, torch.Tensor]]]) -> list[dict]:
    rows = []
    for kind, items in prints.items():
        tones = collections.Counter(detect_tone(image) for image, _ in items)
        expected = EXPECTED[kind]
        row: dict[str, object] = {"print": kind, "photos": len(items)}
        for tone in ("color", "monochrome", "sepia", "cyanotype"):
            row[tone] = tones[tone]
        row["correct %"] = round(100 * tones[expected] / len(items), 1) if expected else ""
        rows.append(row)
    return rows


def correct_auto(image: torch.Tensor) -> torch.Tensor:
    """The pipeline's correct_color stage with ``color.method = auto`` on a colour photo."""
    return correct_fade(image) if needs_correction(fade_estimate(image)) else image


CORRECTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": lambda image: image,
    "auto-levels": auto_levels,
    "gray-world": gray_world,
    "restora fade (color.method = fade)": correct_fade,
    "restora auto (default)": correct_auto,
}


def delta_e_rows(prints: dict[str, list[tuple[torch.Tensor, torch.Tensor]]]) -> list[dict]:
    rows = []
    for kind in (*FADED, "colour"):
        items = prints[kind]
        row: dict[str, object] = {"photos": kind, "count": len(items)}
        for name, fn in CORRECTIONS.items():
            scores = [float(mean_delta_e2000(fn(image), original)[0]) for image, original in items]
            row[name] = round(statistics.mean(scores), 2)
        applied = sum(bool(needs_correction(fade_estimate(image))) for image, _ in items)
        row["auto corrected"] = f"{applied}/{len(items)}"
        rows.append(row)
    return rows


def residuals(prints: dict[str, list[tuple[torch.Tensor, torch.Tensor]]]) -> list[dict]:
    """Quantiles of the classifier's residual per kind (for choosing ``_RESIDUAL``)."""
    rows = []
    for kind, items in prints.items():
        values = np.array([tone_features(image).residual for image, _ in items])
        row: dict[str, object] = {"print": kind}
        for q in (0.02, 0.04, 0.05, 0.1, 0.5, 0.9, 0.95):
            row[f"q{q:g}"] = round(float(np.quantile(values, q)), 4)
        rows.append(row)
    return rows


def search(prints: dict[str, list[tuple[torch.Tensor, torch.Tensor]]], rounds: int = 2) -> None:
    """Coordinate descent over :class:`FadeTuning` on the faded prints (mean CIEDE2000)."""
    import dataclasses

    from restora.ops.color_correct import FadeTuning

    small = [
        (
            F.interpolate(image, scale_factor=0.5, mode="area"),
            F.interpolate(orig, scale_factor=0.5, mode="area"),
        )
        for kind in FADED
        for image, orig in prints[kind]
    ]

    def score(tuning: FadeTuning) -> float:
        return statistics.mean(
            float(mean_delta_e2000(correct_fade(image, tuning=tuning), orig)[0])
            for image, orig in small
        )

    grid = {
        "neutral": (0.4, 0.6, 0.7, 0.8, 0.9, 1.0),
        "black": (0.0, 0.25, 0.5, 0.75, 1.0),
        "white": (0.0, 0.25, 0.5, 0.75),
        "max_gain": (1.0, 1.1, 1.2, 1.3, 1.6, 2.0),
        "mid": (0.0, 0.1, 0.25),
        "chroma": (18.0, 22.0, 26.0, 30.0, 35.0),
        "max_saturation": (1.0, 1.25, 1.5, 2.0),
    }
    best = FadeTuning()
    best_score = score(best)
    print(f"start {best} -> {best_score:.3f}")
    for _ in range(rounds):
        for name, values in grid.items():
            for value in values:
                candidate = dataclasses.replace(best, **{name: value})
                if candidate == best:
                    continue
                value_score = score(candidate)
                if value_score < best_score - 1e-3:
                    best, best_score = candidate, value_score
                    print(f"{name}={value} -> {best_score:.3f}", flush=True)
    print(f"best {best} -> {best_score:.3f}")


def gate(prints: dict[str, list[tuple[torch.Tensor, torch.Tensor]]]) -> None:
    """Grid over the correct_color stage's limits: mean CIEDE2000 of ``auto`` on the faded
    prints plus that on the clean photos (each image scored once corrected, once not)."""
    import itertools

    rows = []  # (estimate, delta E uncorrected, delta E corrected, faded?)
    for kind in (*FADED, "colour"):
        for image, original in prints[kind]:
            small = F.interpolate(image, scale_factor=0.5, mode="area")
            orig = F.interpolate(original, scale_factor=0.5, mode="area")
            rows.append(
                (
                    fade_estimate(small),
                    float(mean_delta_e2000(small, orig)[0]),
                    float(mean_delta_e2000(correct_fade(small), orig)[0]),
                    kind != "colour",
                )
            )
    best = None
    for cast, black, white, chroma in itertools.product(
        (6.0, 10.0, 15.0, 20.0, 30.0, 1e9),
        (8.0, 10.0, 12.0, 15.0, 18.0, 22.0, 26.0, 1e9),
        (0.0, 70.0, 80.0, 85.0),
        (0.0, 6.0, 10.0),
    ):
        limits = (cast, black, white, chroma)
        faded = statistics.mean(c if _fires(e, limits) else n for e, n, c, f in rows if f)
        clean = statistics.mean(c if _fires(e, limits) else n for e, n, c, f in rows if not f)
        score = faded + clean
        if best is None or score < best[0]:
            best = (score, faded, clean, cast, black, white, chroma)
    assert best is not None
    score, faded, clean, *limits = best
    print(f"best: score {score:.3f} faded {faded:.3f} clean {clean:.3f}")
    print("limits (cast, black, white, chroma):", limits)


def _fires(estimate, limits: tuple[float, float, float, float]) -> bool:
    cast, black, white, chroma = limits
    return (
        estimate.cast > cast
        or estimate.black > black
        or estimate.white < white
        or estimate.chroma < chroma
    )


def real_photo_tones() -> list[dict]:
    rows = []
    for parts in (
        ("data", "real_photos", "old_bw"),
        ("data", "real_photos", "old_color"),
        ("data", "real_photos", "damaged"),
        ("data", "real_photos", "faces_old"),
        ("data", "old_photos", "old"),
    ):
        folder = shared_path(*parts)
        tones: collections.Counter[str] = collections.Counter()
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif"):
                tones[detect_tone(read_image(path).image)] += 1
        rows.append({"folder": "/".join(parts[1:]), **{t: tones[t] for t in sorted(tones)}})
    return rows


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    for row in rows:
        print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mode", nargs="?", choices=("report", "tune", "search", "gate"), default="report"
    )
    parser.add_argument("--count", type=int, default=120, help="tuning photos (BSDS500 train)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.mode == "gate":
        gate(render_all(tuning_photos(args.count), args.seed))
        return
    if args.mode == "search":
        search(render_all(tuning_photos(args.count), args.seed))
        return
    if args.mode == "tune":
        prints = render_all(tuning_photos(args.count), args.seed)
        print_rows("classifier residual by print kind (tuning photos)", residuals(prints))
        print_rows("tone confusion (tuning photos)", confusion(prints))
        print_rows("mean CIEDE2000 to the original (tuning photos)", delta_e_rows(prints))
        return
    prints = render_all(report_photos(), args.seed)
    command = command_line()
    photos = "CBSD68 (68), Set14 colour (11), BSDS500 test [100:200] (100)"
    tone_rows = confusion(prints)
    faded = [r for r in tone_rows if r["print"] in FADED]
    stay = sum(int(r["color"]) for r in faded) / sum(int(r["photos"]) for r in faded)
    write_table(
        "color_correct_tones",
        tone_rows,
        command,
        notes=f"Tone classifier (restora.io.detect_tone) on {photos}, each rendered as every "
        "print kind and scanned (JPEG 75-95); none of these photos was tuned on (the residual "
        f"threshold was chosen on BSDS500 train). Faded colour prints read as colour: "
        f"{100 * stay:.1f} %. Warm black, selenium and hand-tinted have no single right answer.",
    )
    write_table(
        "color_correct",
        delta_e_rows(prints),
        command,
        notes=f"Mean CIEDE2000 to the clean original on {photos} (lower is better). 'none' is "
        "the print itself; the parameters of restora's correction were chosen on BSDS500 train "
        "photos. The 'colour' row shows the harm each method does to photos that need nothing.",
    )
    write_table(
        "color_correct_real_tones",
        real_photo_tones(),
        command,
        notes="detect_tone on real old photos (evaluation only; nothing tuned on them, no "
        "pictures kept). old_bw are black-and-white and sepia scans, old_color and "
        "old_photos/old faded, hand-coloured or autochrome colour photos.",
    )
    print(f"faded colour prints read as colour: {100 * stay:.1f} %", file=sys.stderr)


if __name__ == "__main__":
    main()

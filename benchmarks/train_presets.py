"""Each task preset's full config (its real architecture, crops and batch) trained for 200 steps on
``../shared/train``: wall time and whether the training loss falls.

    .venv/bin/python benchmarks/train_presets.py [--presets sr,denoise,...] [--steps 200]

The test suite runs the same presets with narrowed models on synthetic photos
(tests/train/test_presets.py); this is the full-size check of issue 3's acceptance 2.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import command_line, shared_path, write_table
from restora.train import load_config, read_csv, train

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
PRESETS = ("sr", "denoise", "colorize", "inpaint", "damage", "edges2image")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    shared_path("train")  # exits with a clear message when the data is absent
    rows = []
    for preset in args.presets.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            overrides = [f"steps={args.steps}", f"out_dir={tmp}", "val_every=0", "save_every=0"]
            config = load_config(CONFIGS / f"{preset}.toml", overrides)
            began = time.perf_counter()
            train(config)
            seconds = time.perf_counter() - began
            losses = [row["loss"] for row in read_csv(Path(tmp) / "log.csv")]
        window = max(1, min(20, len(losses) // 5))
        first, last = statistics.mean(losses[:window]), statistics.mean(losses[-window:])
        rows.append(
            {
                "preset": preset,
                "model": config.model.name,
                "crop": config.data.crop,
                "batch": config.data.batch_size,
                "steps": args.steps,
                "seconds": round(seconds, 1),
                f"loss (first {window})": round(first, 4),
                f"loss (last {window})": round(last, 4),
                "loss falls": last < first,
            }
        )
        print(rows[-1], flush=True)
    notes = (
        "Full preset configs from configs/ (only steps, out_dir and no validation/checkpoints "
        "overridden), data from ../shared/train, CPU with the configs' thread count, on this "
        "2-core machine (other training jobs were paused with SIGSTOP while measured). Seconds "
        "include building the "
        "dataset (reading and caching the photos)."
    )
    write_table("train_presets", rows, command_line(), notes)


if __name__ == "__main__":
    main()

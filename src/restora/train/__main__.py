"""``python -m restora.train CONFIG [key=value ...] [--resume PATH]`` (the entry point for
``torchrun --nproc_per_node N -m restora.train ...``)."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, train, print a one-line summary (rank 0)."""
    parser = argparse.ArgumentParser(prog="python -m restora.train", description=__doc__)
    parser.add_argument("config", help="TOML config (e.g. configs/sr.toml)")
    parser.add_argument(
        "overrides", nargs="*", help="dotted overrides, e.g. steps=200 optim.lr=1e-4"
    )
    parser.add_argument(
        "--resume", default=None, help="checkpoint folder or run folder to continue"
    )
    parser.add_argument("--until", type=int, default=None, help="stop after this step (checkpoint)")
    args = parser.parse_args(argv)

    from restora.train.config import load_config
    from restora.train.loop import train

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = load_config(args.config, args.overrides)
    result = train(config, resume=args.resume, until=args.until)
    from restora.train.distributed import env_dist_info

    if env_dist_info().is_main:
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in result.metrics.items() if k != "images")
        print(
            f"trained {result.step} steps -> {result.out_dir}"
            + (f" ({metrics})" if metrics else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``restora train`` and ``restora eval``: thin front ends over :mod:`restora.train`.

Register in ``restora.cli.main`` with::

    app.command("train")(train_command)
    app.command("eval")(eval_command)

Heavy imports happen inside the commands, so ``restora --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from restora.cli.errors import friendly_errors


@friendly_errors
def train_command(
    config: Annotated[Path, typer.Argument(help="Training config (TOML), e.g. configs/sr.toml.")],
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="Dotted overrides key=value, e.g. steps=200 optim.lr=1e-4."),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option(help="Checkpoint folder (or run folder) to continue from.")
    ] = None,
    until: Annotated[
        int | None,
        typer.Option(help="Stop after this step with a checkpoint (resume later with --resume)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the config (one synthetic step) and exit.")
    ] = False,
) -> None:
    """Train a model as CONFIG says. Under torchrun (WORLD_SIZE set) it runs DDP, rank 0 logs."""
    import logging

    from restora.train.config import load_config
    from restora.train.distributed import env_dist_info
    from restora.train.loop import train
    from restora.train.validate import check_config

    settings = load_config(config, overrides or [])
    if check:
        check_config(settings, check_folders=True)
        print(f"{config}: ok")
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = train(settings, resume=resume, until=until)
    if env_dist_info().is_main:
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in result.metrics.items() if k != "images")
        print(
            f"trained {result.step} steps -> {result.out_dir}"
            + (f" ({metrics})" if metrics else "")
        )


@friendly_errors
def eval_command(
    checkpoint: Annotated[
        Path, typer.Argument(help="Run folder, checkpoint folder or model folder (config.json).")
    ],
    data: Annotated[Path, typer.Option("--data", help="Folder of clean images.")],
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help="Preset: sr, denoise, colorize, inpaint, damage, edges2image "
            "(default: the run's config).",
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="Preset option key=value (repeatable), e.g. scale=4."),
    ] = None,
    crop: Annotated[
        int | None, typer.Option(help="Centre crops of this size (default: whole images).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of degradations and masks.")] = 0,
    max_images: Annotated[int, typer.Option(help="Use at most this many images (0 = all).")] = 0,
    device: Annotated[str, typer.Option(help="cpu, cuda, cuda:1 ...")] = "cpu",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the metrics as JSON.")
    ] = None,
) -> None:
    """Measure a trained model with its task's metrics (PSNR/SSIM, or IoU/Dice) on DATA."""
    from restora.core.config import apply_overrides
    from restora.train.evaluate import evaluate_folder

    options = apply_overrides({}, option) if option else None
    metrics = evaluate_folder(
        checkpoint,
        data,
        preset=task,
        options=options,
        crop=crop,
        seed=seed,
        max_images=max_images,
        device=device,
    )
    for name, value in metrics.items():
        print(f"{name:>10s}  {value:.4f}" if name != "images" else f"{name:>10s}  {int(value)}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        print(f"metrics -> {output}", file=sys.stderr)

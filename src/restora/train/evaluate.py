"""Validation / evaluation: a task's metrics averaged over batches."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from restora.train.tasks import Task


@torch.no_grad()
def evaluate(
    task: type[Task] | Task,
    model: nn.Module,
    batches: Iterable,
    *,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Mean of ``task``'s per-image metrics of ``model`` over ``batches`` (eval mode; the
    model's previous train/eval mode is restored). Returns ``{metric: mean, "images": n}``."""
    was_training = model.training
    model.eval()
    sums: dict[str, float] = {}
    count = 0
    try:
        for batch in batches:
            batch = batch.to(device)
            pred = task.predict(model, batch)
            for name, values in task.measure(pred, batch).items():
                sums[name] = sums.get(name, 0.0) + float(values.double().sum())
            count += batch.input.shape[0]
    finally:
        model.train(was_training)
    if count == 0:
        return {}
    return {**{name: total / count for name, total in sums.items()}, "images": count}


def run_config_near(path: Path) -> Path | None:
    """The ``config.toml`` of a run or checkpoint folder, or of the run a model folder is in."""
    for folder in (path, path.parent):
        candidate = folder / "config.toml"
        if candidate.is_file():
            return candidate
    return None


def evaluate_folder(
    checkpoint: str | Path,
    data: str | Path,
    *,
    preset: str | None = None,
    options: dict[str, Any] | None = None,
    crop: int | None = None,
    seed: int = 0,
    max_images: int = 0,
    device: str = "cpu",
) -> dict[str, float]:
    """Metrics of a trained model on the clean images in ``data``.

    ``checkpoint``: a run folder, a checkpoint folder (EMA weights when present) or a model
    folder (``config.json`` + ``model.safetensors``). ``preset`` / ``options`` default to the
    run's config (``config.toml`` beside the checkpoint); ``crop`` None measures whole images
    (cropped to the preset's multiple), else centred ``crop`` squares. Degradations and masks
    are drawn from ``seed``, so repeated evaluations see the same pairs.
    """
    from restora.core.errors import ConfigError
    from restora.data.datasets import ImageFolder
    from restora.data.paired import PairedDataset
    from restora.data.tasks import build_task
    from restora.train.checkpoint import load_trained_model
    from restora.train.config import load_config, resolve_options
    from restora.train.feed import fixed_batches
    from restora.train.tasks import TASKS, task_kind

    checkpoint = Path(checkpoint)
    config_file = run_config_near(checkpoint)
    config = load_config(config_file) if config_file is not None else None
    if preset is None:
        if config is None:
            raise ConfigError(f"no config.toml beside {checkpoint}: give the task preset (--task)")
        preset = config.task.preset
    if options is None:
        options = config.task.options if config is not None and config.task.preset == preset else {}
    if config is None or config.task.preset != preset:
        config = load_config(None, [f"task.preset={json.dumps(preset)}"])
    config.task.options = dict(options)
    data_task = build_task(preset, resolve_options(config.task.options))
    folder = ImageFolder(data, cache=False)
    images = [
        folder[i] for i in range(len(folder) if max_images == 0 else min(max_images, len(folder)))
    ]
    pairs = PairedDataset(
        images, data_task, crop_size=crop, seed=seed, augment=False, random_crop=False
    )
    model = load_trained_model(checkpoint, device=device)
    batches = fixed_batches(pairs, batch_size=1 if crop is None else 8)
    return evaluate(TASKS[task_kind(config)], model, batches, device=device)

"""Check a :class:`TrainConfig` before training: names, options, and that the model fits the data.

:func:`check_config` builds the data preset, the task's loss terms, the model (and the
discriminator when used) and runs one synthetic pair through the model, so mismatched channel
counts or scales fail at once with a message, not after data loading.
"""

from __future__ import annotations

import numpy as np
import torch

from restora.core.errors import ConfigError
from restora.data.sample import collate_samples
from restora.data.tasks import build_task
from restora.losses import VGG16_LAYER_NAMES
from restora.train.config import TrainConfig, folder_slice, resolve_options, resolve_path
from restora.train.distributed import DistInfo
from restora.train.tasks import task_class


def check_config(config: TrainConfig, *, check_folders: bool = False) -> None:
    """Raise ``ConfigError`` if ``config`` cannot train; ``check_folders`` also requires the data
    folders to exist (needs the shared folder for ``shared:`` paths)."""
    preset = build_task(config.task.preset, resolve_options(config.task.options))
    for name, size in (("data.crop", config.data.crop), ("data.val_crop", config.data.val_crop)):
        if size % preset.crop_multiple:
            raise ConfigError(f"{name} = {size} must be a multiple of {preset.crop_multiple}")
    unknown = [name for name in config.loss.vgg_layers if name not in VGG16_LAYER_NAMES]
    if unknown:
        raise ConfigError(f"loss.vgg_layers: unknown VGG16 layers {unknown}")
    cls = task_class(config)
    if check_folders:
        for folder in [*config.data.train, *config.data.val]:
            path = resolve_path(folder_slice(folder)[0])
            if not path.is_dir():
                raise ConfigError(f"data folder not found: {folder} ({path})")
    clean = torch.rand(
        1, 3, config.data.crop, config.data.crop, generator=torch.Generator().manual_seed(0)
    )
    example = collate_samples([preset.make_pair(clean, np.random.default_rng(0))])
    task = cls(config, device=torch.device("cpu"), dist=DistInfo(), example=example)
    task.model.eval()
    with torch.no_grad():
        output = task.output(task.model, example)
    if output.shape != example.target.shape:
        raise ConfigError(
            f"model {config.model.name!r} maps input {tuple(example.input.shape)} to "
            f"{tuple(output.shape)}, but task {config.task.preset!r} has targets "
            f"{tuple(example.target.shape)}"
        )
    logs = task.step(example)
    if not np.isfinite(logs["loss"]):
        raise ConfigError(f"the loss of one training step is {logs['loss']}")

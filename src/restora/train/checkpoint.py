"""Training checkpoints: everything needed to continue a run exactly, without pickles of code.

Layout of ``<out_dir>/checkpoints/step_000100/``::

    model/config.json, model/model.safetensors          the trained network (restora.models)
    ema/...                                             its EMA copy (when enabled)
    discriminator/...                                   GAN discriminator (when used)
    optim.safetensors + state.json                      optimizer tensors / everything else
    config.toml                                         the run's config

``state.json`` holds the step, optimizer scalars (param groups, step counts), the Python and
NumPy RNG states, the seed, git commit and data manifest hash. The torch RNG state and every
optimizer tensor live in ``optim.safetensors``. The data order needs no saved iterator: batches
are functions of ``(seed, step)``. ``<out_dir>/checkpoints/latest`` names the newest folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from safetensors.torch import load_model as load_weights

from restora.core.errors import RestoraError
from restora.models import load_model, save_model
from restora.train.config import TrainConfig, config_to_toml
from restora.train.ema import EMA
from restora.train.tasks import Task

FORMAT = "restora.checkpoint/1"
STATE_FILE = "state.json"
TENSORS_FILE = "optim.safetensors"
LATEST = "latest"


@dataclass(frozen=True)
class CheckpointInfo:
    """What :func:`load_checkpoint` restored: the number of steps done and the saved record."""

    step: int
    record: dict[str, Any]


def checkpoint_name(step: int) -> str:
    return f"step_{step:06d}"


def save_checkpoint(
    folder: str | Path,
    *,
    step: int,
    task: Task,
    ema: EMA | None,
    config: TrainConfig,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the checkpoint of ``step`` completed steps to ``folder`` (atomically: a temporary
    folder renamed into place) and point ``folder.parent / "latest"`` at it."""
    folder = Path(folder)
    temp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    for name, network in task.networks().items():
        save_model(network, temp / name)  # type: ignore[arg-type]
    if ema is not None:
        save_model(ema.model, temp / "ema")  # type: ignore[arg-type]
    tensors: dict[str, torch.Tensor] = {"rng.torch": torch.get_rng_state()}
    optimizers = {}
    for name, optimizer in task.optimizers().items():
        optimizers[name] = _split_state(optimizer.state_dict(), f"optim.{name}", tensors)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(temp / TENSORS_FILE))
    record = {
        "format": FORMAT,
        "step": step,
        "optimizers": optimizers,
        "rng": {"python": _python_rng_state(), "numpy": _numpy_rng_state()},
        **(extra or {}),
    }
    (temp / STATE_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    (temp / "config.toml").write_text(config_to_toml(config), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(temp, folder)
    (folder.parent / LATEST).write_text(folder.name + "\n", encoding="utf-8")
    return folder


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint folder from ``path``: itself, or the one ``path/latest`` or
    ``path/checkpoints/latest`` names (so a run's out_dir works too)."""
    path = Path(path)
    if (path / STATE_FILE).is_file():
        return path
    for base in (path, path / "checkpoints"):
        latest = base / LATEST
        if latest.is_file():
            return base / latest.read_text(encoding="utf-8").strip()
    raise RestoraError(f"no training checkpoint at {path} (expected {STATE_FILE} or '{LATEST}')")


def load_checkpoint(path: str | Path, *, task: Task, ema: EMA | None) -> CheckpointInfo:
    """Restore networks, EMA, optimizers and RNG states saved by :func:`save_checkpoint`.

    Weights are read with safetensors and must match the networks exactly.
    """
    folder = resolve_checkpoint(path)
    record = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    if record.get("format") != FORMAT:
        raise RestoraError(f"{folder} is not a restora training checkpoint ({FORMAT})")
    device = str(task.device)
    for name, network in task.networks().items():
        _load_network(network, folder / name, device)
    if ema is not None:
        if not (folder / "ema").is_dir():
            raise RestoraError(f"{folder} has no EMA weights but the config enables ema")
        _load_network(ema.model, folder / "ema", device)
    tensors = load_file(str(folder / TENSORS_FILE), device="cpu")
    optimizers = task.optimizers()
    saved = record["optimizers"]
    if set(saved) != set(optimizers):
        raise RestoraError(
            f"{folder} has optimizers {sorted(saved)}, this task {sorted(optimizers)}"
        )
    for name, optimizer in optimizers.items():
        # The config's learning rate wins over the saved one, so a resumed run can change it.
        base_lrs = [group.get("base_lr") for group in optimizer.param_groups]
        optimizer.load_state_dict(_join_state(saved[name], tensors))
        for group, base_lr in zip(optimizer.param_groups, base_lrs, strict=True):
            if base_lr is not None:
                group["base_lr"] = base_lr
    torch.set_rng_state(tensors["rng.torch"])
    random.setstate(_to_tuple(record["rng"]["python"]))
    numpy = record["rng"]["numpy"]
    np.random.set_state(
        (numpy[0], np.asarray(numpy[1], dtype=np.uint32), numpy[2], numpy[3], numpy[4])
    )
    return CheckpointInfo(step=int(record["step"]), record=record)


def load_trained_model(
    path: str | Path, *, device: str = "cpu", prefer_ema: bool = True
) -> torch.nn.Module:
    """The model of a checkpoint or run folder (EMA weights when present), or of a model folder
    written by :func:`restora.models.save_model`."""
    path = Path(path)
    if (path / "config.json").is_file():
        return load_model(path, device=device)
    folder = resolve_checkpoint(path)
    sub = folder / "ema" if prefer_ema and (folder / "ema").is_dir() else folder / "model"
    return load_model(sub, device=device)


def _load_network(network: torch.nn.Module, folder: Path, device: str) -> None:
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise RestoraError(f"missing weights {weights}")
    missing, unexpected = load_weights(network, str(weights), strict=False, device=device)
    if missing or unexpected:
        raise RestoraError(
            f"{weights} does not match the configured network: missing {sorted(missing)}, "
            f"unexpected {sorted(unexpected)}"
        )


def _split_state(value: Any, key: str, tensors: dict[str, torch.Tensor]) -> Any:
    """JSON-able copy of a state dict with tensors moved into ``tensors`` (``{"$tensor": key}``)."""
    if isinstance(value, torch.Tensor):
        tensors[key] = value.detach().cpu()
        return {"$tensor": key}
    if isinstance(value, dict):
        return {"$dict": [[k, _split_state(v, f"{key}.{k}", tensors)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_split_state(v, f"{key}.{i}", tensors) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_split_state(v, f"{key}.{i}", tensors) for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise RestoraError(f"cannot checkpoint optimizer state {key} of type {type(value).__name__}")


def _join_state(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, dict):
        if "$tensor" in value:
            return tensors[value["$tensor"]]
        if "$tuple" in value:
            return tuple(_join_state(v, tensors) for v in value["$tuple"])
        return {k: _join_state(v, tensors) for k, v in value["$dict"]}
    if isinstance(value, list):
        return [_join_state(v, tensors) for v in value]
    return value


def _python_rng_state() -> list[Any]:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def _to_tuple(state: list[Any]) -> tuple[Any, ...]:
    return (state[0], tuple(state[1]), state[2])


def _numpy_rng_state() -> list[Any]:
    kind, keys, pos, has_gauss, cached = np.random.get_state()  # type: ignore[misc]
    return [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]

"""Save and rebuild models: ``config.json`` (architecture + constructor arguments) and
``model.safetensors`` (the state dict). No pickles."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from safetensors.torch import load_model as _load_weights
from safetensors.torch import save_model as _save_weights

from restora.core.errors import RestoraError
from restora.models.base import ConfigurableModel
from restora.models.registry import get_architecture

__all__ = [
    "CONFIG_FILE",
    "FORMAT",
    "WEIGHTS_FILE",
    "load_model",
    "overlay_weights",
    "save_model",
    "save_overlay",
]

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
FORMAT = "restora.model/1"


def save_model(
    model: ConfigurableModel, directory: str | Path, *, dtype: torch.dtype | None = None
) -> Path:
    """Write ``directory/config.json`` and ``directory/model.safetensors``; return ``directory``.

    ``config.json`` is ``{"format": "restora.model/1", "arch": model.arch, "config": {...}}``.
    The folder is created if needed; existing files of these two names are replaced.
    ``dtype`` stores the floating-point tensors in that type (``torch.float16`` for shipped
    weights: half the size); :func:`load_model` always returns a float32 model.

    >>> save_model(create_model("dncnn.s_gray", width=8, depth=3), tmp)  # doctest: +SKIP
    """
    if not isinstance(model, ConfigurableModel) or not model.arch:
        raise TypeError(
            f"save_model needs a registered restora architecture, got {type(model).__name__}"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    record = {"format": FORMAT, "arch": model.arch, "config": model.config}
    (directory / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    stored = model if dtype is None else copy.deepcopy(model).to(dtype)
    _save_weights(stored, str(directory / WEIGHTS_FILE), metadata={"arch": model.arch})
    return directory


def load_model(directory: str | Path, *, device: str | torch.device = "cpu") -> ConfigurableModel:
    """Rebuild the model saved by :func:`save_model` in ``directory``, in eval mode.

    The weights must match the architecture exactly (missing or unexpected keys or wrong shapes
    raise ``RestoraError``); an unknown architecture raises ``KeyError`` with close matches.
    """
    directory = Path(directory)
    record = _read_config(directory / CONFIG_FILE)
    if "overlay" in record:
        raise RestoraError(
            f"{directory} holds part of a model (an overlay of {record['overlay']}): load the "
            "network it was fine-tuned from and apply it with overlay_weights"
        )
    model = get_architecture(record["arch"])(**record["config"])
    _copy_weights(model, directory, f"{record['arch']} {record['config']}", str(device))
    return model.to(device).eval()


def load_weights_into(model: ConfigurableModel, directory: str | Path) -> None:
    """Copy the weights saved by :func:`save_model` in ``directory`` into ``model`` (fine-tuning
    from a trained model). The architecture must be the same; constructor options may differ
    only where the weights' names and shapes still match exactly (else ``RestoraError``)."""
    directory = Path(directory)
    record = _read_config(directory / CONFIG_FILE)
    if record["arch"] != model.arch:
        raise RestoraError(f"{directory} holds a {record['arch']}, not a {model.arch}")
    device = str(next(iter(model.parameters())).device)
    _copy_weights(model, directory, f"{model.arch} {model.config}", device)


def _copy_weights(model: ConfigurableModel, directory: Path, what: str, device: str) -> None:
    """Load ``directory``'s weights into ``model``; every name and shape must match."""
    weights = directory / WEIGHTS_FILE
    if not weights.is_file():
        raise RestoraError(f"model weights not found: {weights}")
    what = f"{weights} does not match {what}"
    try:
        missing, unexpected = _load_weights(model, str(weights), strict=False, device=device)
    except RuntimeError as exc:  # shape mismatches
        raise RestoraError(f"{what}: {exc}") from None
    if missing or unexpected:
        raise RestoraError(f"{what}: missing {sorted(missing)}, unexpected {sorted(unexpected)}")


def save_overlay(
    model: ConfigurableModel,
    directory: str | Path,
    prefixes: list[str],
    *,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write only the tensors of ``model`` under ``prefixes`` (parameters and buffers whose
    names start with a prefix and a dot): a fine-tune of part of a shipped network, stored as
    what changed. ``config.json`` is :func:`save_model`'s with ``"overlay": prefixes``; read it
    back with :func:`overlay_weights` onto the network it was fine-tuned from."""
    if not prefixes:
        raise ValueError("save_overlay needs at least one name prefix")
    state = {
        name: tensor
        for name, tensor in model.state_dict().items()
        if any(name.startswith(prefix + ".") for prefix in prefixes)
    }
    missing = [p for p in prefixes if not any(n.startswith(p + ".") for n in state)]
    if missing:
        raise ValueError(f"no tensor of {model.arch} is under {missing}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    record = {"format": FORMAT, "arch": model.arch, "config": model.config, "overlay": prefixes}
    (directory / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    stored = {
        name: (t.to(dtype) if dtype is not None and t.is_floating_point() else t).contiguous()
        for name, t in state.items()
    }
    save_file(stored, str(directory / WEIGHTS_FILE), metadata={"arch": model.arch})
    return directory


def overlay_weights(model: ConfigurableModel, directory: str | Path) -> None:
    """Copy the tensors saved by :func:`save_overlay` in ``directory`` into ``model`` (the
    network they were fine-tuned from: same architecture and options; every stored name and
    shape must exist in it, else ``RestoraError``)."""
    directory = Path(directory)
    record = _read_config(directory / CONFIG_FILE)
    if "overlay" not in record:
        raise RestoraError(f"{directory} holds a whole model, not an overlay (use load_model)")
    if record["arch"] != model.arch or record["config"] != model.config:
        raise RestoraError(
            f"{directory} overlays a {record['arch']} {record['config']}, "
            f"not this {model.arch} {model.config}"
        )
    weights = directory / WEIGHTS_FILE
    if not weights.is_file():
        raise RestoraError(f"model weights not found: {weights}")
    target = model.state_dict()
    stored = load_file(str(weights))
    wrong = [
        name for name, t in stored.items() if name not in target or target[name].shape != t.shape
    ]
    if wrong:
        raise RestoraError(f"{weights} does not fit {model.arch} {model.config}: {sorted(wrong)}")
    with torch.no_grad():
        for name, tensor in stored.items():
            target[name].copy_(tensor.to(target[name].dtype))


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RestoraError(f"model config not found: {path}")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RestoraError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise RestoraError(f"{path} is not a restora model config (format {FORMAT!r} expected)")
    if not isinstance(record.get("arch"), str) or not isinstance(record.get("config"), dict):
        raise RestoraError(f"{path} needs a string 'arch' and an object 'config'")
    return record

"""restora's own colorizers: where their weights live and how to load them.

A trained colorizer ships as ``restora/weights/colorize/<name>/`` (``config.json`` +
``model.safetensors`` + ``MODEL_CARD.md``, written by :func:`restora.models.save_model`). Any
registered architecture with a ``predict_ab(lightness, *, hints=None, hint_mask=None)`` method
can be shipped this way: the trainer's final ``<out_dir>/model/`` of
``configs/colorize_restora_auto.toml`` (``zhang.eccv16``, annealed-mean decoding) and
``configs/colorize_restora_hints.toml`` (``zhang.siggraph17``, regression) is such a folder;
the latter ships as ``restora_colorizer`` for both kinds. Where a folder is missing,
:func:`has_pretrained` is False and callers say so instead of guessing colours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch

from restora.core.errors import RestoraError
from restora.models.base import ConfigurableModel

__all__ = ["PRETRAINED", "ColorizerKind", "has_pretrained", "load_pretrained", "pretrained_dir"]

ColorizerKind = Literal["auto", "hints"]
# One shipped SIGGRAPH17-style network serves both kinds: trained with no hints 1/8 of the time,
# it colorizes on its own when given none (see its MODEL_CARD.md for the figures of each use).
PRETRAINED: dict[str, str] = {
    "auto": "restora_colorizer",  # L -> ab, no hints
    "hints": "restora_colorizer",  # L + ab hints + mask -> ab
}


def pretrained_dir(kind: ColorizerKind = "auto") -> Path:
    """``restora/weights/colorize/<name>`` inside the package (it may not exist)."""
    if kind not in PRETRAINED:
        raise ValueError(f"kind must be one of {', '.join(PRETRAINED)}, got {kind!r}")
    return Path(__file__).resolve().parents[2] / "weights" / "colorize" / PRETRAINED[kind]


def has_pretrained(kind: ColorizerKind = "auto") -> bool:
    """Whether restora ships trained weights of this kind."""
    folder = pretrained_dir(kind)
    return (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()


def load_pretrained(
    kind: ColorizerKind = "auto", *, device: str | torch.device = "cpu"
) -> ConfigurableModel:
    """restora's trained colorizer of this kind, in eval mode. Raises ``RestoraError`` when the
    weights have not shipped or the model cannot colorize (no ``predict_ab``)."""
    from restora.models.checkpoint import load_model

    if not has_pretrained(kind):
        raise RestoraError(
            f"restora's {kind} colorizer has no trained weights yet ({pretrained_dir(kind)})"
        )
    model = load_model(pretrained_dir(kind), device=device)
    if not callable(getattr(model, "predict_ab", None)):
        raise RestoraError(
            f"{pretrained_dir(kind)} holds a {type(model).__name__}, not a colorizer"
        )
    return model

"""restora's shipped inpainting weights: where they live and how to load them."""

from __future__ import annotations

from pathlib import Path

import torch

from restora.core.errors import RestoraError
from restora.models.base import ConfigurableModel

__all__ = ["DEFAULT_INPAINTER", "has_pretrained", "load_pretrained", "pretrained_dir"]

DEFAULT_INPAINTER = "restora_inpaint_refine"


def pretrained_dir(name: str = DEFAULT_INPAINTER) -> Path:
    """``restora/weights/inpaint/<name>`` inside the package (``config.json`` +
    ``model.safetensors`` + ``MODEL_CARD.md``)."""
    return Path(__file__).resolve().parents[2] / "weights" / "inpaint" / name


def has_pretrained(name: str = DEFAULT_INPAINTER) -> bool:
    """Whether the weights ``name`` ship with this installation."""
    return (pretrained_dir(name) / "config.json").is_file()


def load_pretrained(
    name: str = DEFAULT_INPAINTER, *, device: str | torch.device = "cpu"
) -> ConfigurableModel:
    """The shipped inpainting model ``name`` in eval mode: ``model(image, mask)`` with ``image``
    ``(B, 3, H, W)`` in [0, 1] and ``mask`` ``(B, 1, H, W)``, 1 = hole, returns the raw
    prediction (composite and clamp it yourself). Raises ``RestoraError`` when it is missing."""
    from restora.models.checkpoint import load_model

    folder = pretrained_dir(name)
    if not has_pretrained(name):
        shipped = sorted(p.parent.name for p in folder.parent.glob("*/config.json"))
        raise RestoraError(
            f"no inpainting weights {name!r} (expected {folder}); shipped: "
            f"{', '.join(shipped) or 'none'}"
        )
    model = load_model(folder, device=device)
    if model.describe().purpose != "inpaint":
        raise RestoraError(f"{folder} holds a {model.arch}, not an inpainting model")
    return model

"""Load the authors' released Zhang et al. checkpoints into restora's architectures.

The files (not shipped, not downloaded by restora; users who have them pass a path):

- ECCV16: ``colorization_release_v2-9b330a0b.pth`` (richzhang/colorization, BSD-2-Clause);
- SIGGRAPH17: ``siggraph17-df00044c.pth`` (same repository).

Their keys already are restora's (the architectures keep the authors' names), so the key map
is the identity; what is checked is that the key sets and shapes agree exactly. BatchNorm
``num_batches_tracked`` counters, absent from files saved by old PyTorch versions, are filled
with 0 (they do not affect inference).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from restora.core.errors import RestoraError
from restora.core.weights import load_state_dict
from restora.models.colorization.eccv16 import ZhangECCV16
from restora.models.colorization.siggraph17 import ZhangSIGGRAPH17

__all__ = ["load_zhang_checkpoint", "load_zhang_state_dict"]


def load_zhang_state_dict(
    model: ZhangECCV16 | ZhangSIGGRAPH17, state: Mapping[str, torch.Tensor]
) -> None:
    """Copy the authors' ``state`` into ``model`` (in place), strictly.

    Raises ``RestoraError`` naming missing / unexpected keys or the first shape mismatch.
    """
    own = model.state_dict()
    full = dict(state)
    for key, value in own.items():
        if key.endswith("num_batches_tracked") and key not in full:
            full[key] = torch.zeros_like(value)
    missing = [k for k in own if k not in full]
    unexpected = [k for k in full if k not in own]
    if missing or unexpected:
        raise RestoraError(
            f"not a {type(model).__name__} checkpoint: missing {missing[:6]}, "
            f"unexpected {unexpected[:6]}"
        )
    for key, value in own.items():
        if tuple(full[key].shape) != tuple(value.shape):
            raise RestoraError(
                f"{key}: checkpoint shape {tuple(full[key].shape)} != model {tuple(value.shape)} "
                f"(width {model.config['width']}; the authors' files need width 1)"
            )
    model.load_state_dict(full, strict=True)


def load_zhang_checkpoint(
    path: str | Path, *, arch: str = "eccv16"
) -> ZhangECCV16 | ZhangSIGGRAPH17:
    """Build the authors' network (``arch``: "eccv16" or "siggraph17") from their ``.pth`` file,
    in eval mode. The file is read without running code (``weights_only`` / allow-list)."""
    classes = {"eccv16": ZhangECCV16, "siggraph17": ZhangSIGGRAPH17}
    if arch not in classes:
        raise ValueError(f"arch must be 'eccv16' or 'siggraph17', got {arch!r}")
    model = classes[arch](width=1.0)
    load_zhang_state_dict(model, load_state_dict(path))
    return model.eval()

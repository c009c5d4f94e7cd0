"""``inpaint.method = "restora"``: fill holes with restora's shipped inpainting network.

The network sees each crop that :func:`~restora.pipeline.strategies.crop_around_mask` hands it
(a cell with its context), at the photo's own scale; its output is clamped and only the hole
pixels are kept, so known pixels come back exactly.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from restora.models.inpainting.pretrained import DEFAULT_INPAINTER


@lru_cache(maxsize=2)
def _model(name: str) -> torch.nn.Module:
    from restora.models.inpainting.pretrained import load_pretrained

    return load_pretrained(name)


def learned_fill(
    image: torch.Tensor, hole: torch.Tensor, *, name: str = DEFAULT_INPAINTER
) -> torch.Tensor:
    """``image`` ``(B, 3, H, W)`` in [0, 1] with the pixels where ``hole`` ``(B, 1, H, W)`` >
    0.5 replaced by the network's prediction (clamped to [0, 1])."""
    model = _model(name)
    hole = (hole > 0.5).to(image.dtype)
    with torch.no_grad():
        pred = model(image * (1 - hole), hole).clamp(0, 1)
    return torch.where(hole > 0.5, pred, image)

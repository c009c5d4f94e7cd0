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
    """The shipped network ready for inference. A network of plain convolutions (the Telea
    refinement) gets :func:`restora.nn.fusion.inference_form` (folded norms, 1x1 convs before
    upsampling, in-place ReLUs, channels-last), as the damage detector does; the
    partial-convolution U-Net is left as is (a partial conv outputs 0 where it sees no valid
    pixel, and a folded norm would turn that 0 into its shift)."""
    from restora.models.inpainting.pretrained import load_pretrained
    from restora.nn.fusion import inference_form

    model = load_pretrained(name)
    if getattr(model, "arch", None) == "refine_net":
        return inference_form(model)
    return model


def learned_fill(
    image: torch.Tensor, hole: torch.Tensor, *, name: str = DEFAULT_INPAINTER
) -> torch.Tensor:
    """``image`` ``(B, 3, H, W)`` in [0, 1] with the pixels where ``hole`` ``(B, 1, H, W)`` >
    0.5 replaced by the network's prediction (clamped to [0, 1])."""
    model = _model(name)
    hole = (hole > 0.5).to(image.dtype)
    with torch.no_grad():
        known = (image * (1 - hole)).contiguous(memory_format=torch.channels_last)
        pred = model(known, hole).clamp(0, 1).contiguous()
    return torch.where(hole > 0.5, pred, image)

"""``inpaint.method = "restora"``: fill holes with restora's shipped inpainting network.

The network sees each crop that :func:`~restora.pipeline.strategies.crop_around_mask` hands it
(a cell with its context), at the photo's own scale; its output is clamped and only the hole
pixels are kept, so known pixels come back exactly.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from restora.models.inpainting.pretrained import DEFAULT_INPAINTER
from restora.ops.mirror import mirror_average, views_within

# Megapixel-views ``auto`` spends: 4 views up to 0.2 MP, 2 up to 0.4 MP, 1 above (a 512x512
# photo with 2 views and 30 % holes: ~1.3 s on 2 CPU cores; with 4 views 2.5 s, Telea's share
# growing with the holes).
AUTO_VIEW_BUDGET_MP = 0.8


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
    image: torch.Tensor, hole: torch.Tensor, *, name: str = DEFAULT_INPAINTER, views: int = 1
) -> torch.Tensor:
    """``image`` ``(B, 3, H, W)`` in [0, 1] with the pixels where ``hole`` ``(B, 1, H, W)`` >
    0.5 replaced by the shipped network ``name``'s prediction (see :func:`network_fill`)."""
    return network_fill(_model(name), image, hole, views=views)


def network_fill(
    model: torch.nn.Module, image: torch.Tensor, hole: torch.Tensor, *, views: int = 1
) -> torch.Tensor:
    """``image`` ``(B, 3, H, W)`` in [0, 1] with the pixels where ``hole`` ``(B, 1, H, W)`` >
    0.5 replaced by the prediction of the inpainting network ``model`` (``model(known, hole)``,
    clamped to [0, 1]); known pixels are returned exactly.

    ``views`` 2 or 4 average the predictions for the image and its mirror images (left-right;
    then also up-down and both), ``views`` times the compute: test-time augmentation."""
    hole = (hole > 0.5).to(image.dtype)

    def predict(known: torch.Tensor, holes: torch.Tensor) -> torch.Tensor:
        known = known.contiguous(memory_format=torch.channels_last)
        return model(known, holes).clamp(0, 1).contiguous()

    with torch.no_grad():
        pred = mirror_average(predict, image * (1 - hole), hole, views=views)
    return torch.where(hole > 0.5, pred, image)


def auto_views(height: int, width: int, *, budget_mp: float = AUTO_VIEW_BUDGET_MP) -> int:
    """The most views (4, 2 or 1) of :func:`learned_fill` whose total work on a ``height x
    width`` photo stays within ``budget_mp`` megapixel-views (at least 1).

    >>> auto_views(321, 481), auto_views(512, 512), auto_views(1000, 1000)
    (4, 2, 1)
    """
    return views_within(height, width, budget_mp=budget_mp)

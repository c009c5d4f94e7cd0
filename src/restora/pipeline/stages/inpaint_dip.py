"""``inpaint.method = "dip"``: fill holes with Deep Image Prior (:mod:`restora.models.dip`).

No weights are needed, but every crop with holes is fitted from scratch: expect minutes for a
256 x 256 crop and much longer for large ones on a CPU. The fit uses the ``default_inpaint``
preset (early stopping on) with ``inpaint.seed``: the same seed gives the same pixels, another
seed another plausible completion (``inpaint.samples``).
"""

from __future__ import annotations

import torch

PRESET = "default_inpaint"


def dip_fill(
    image: torch.Tensor, hole: torch.Tensor, *, seed: int = 0, iterations: int | None = None
) -> torch.Tensor:
    """``image`` ``(B, C, H, W)`` in [0, 1] with the pixels where ``hole`` ``(B, 1, H, W)`` > 0.5
    replaced by a DIP fit of each image (``seed`` seeds the network and its input;
    ``iterations`` caps the fit); known pixels are returned unchanged."""
    from restora.models.dip import fit_dip, get_preset

    config = get_preset(PRESET)
    if iterations is not None:
        config = config.replace(iterations=iterations)
    filled = []
    for index in range(image.shape[0]):
        result = fit_dip(
            image[index : index + 1],
            config,
            mask=hole[index : index + 1],
            seed=seed,
            device=image.device,
        )
        filled.append(result.image.to(image.device, image.dtype))
    return torch.cat(filled)

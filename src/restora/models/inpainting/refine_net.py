"""A learned refinement of a classical fill: Telea (or Navier-Stokes) fills the holes first, then
a U-Net predicts a correction inside them.

The classical fill already gives smooth, edge-continuing values, so the network starts from a
good guess (its last layer is zero-initialised: an untrained network returns the classical fill
exactly) and only has to learn what diffusion gets wrong: texture, structure across wide holes,
colour drift."""

from __future__ import annotations

from typing import Any, Literal

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.inpainting.describe import inpaint_descriptor
from restora.models.registry import architecture, build, register_model
from restora.models.segmentation.unet import UNet
from restora.ops.inpaint import inpaint_classical

__all__ = ["ClassicalRefineNet"]


@architecture("refine_net")
class ClassicalRefineNet(ConfigurableModel):
    """``forward(image, mask)`` = ``fill + mask * unet(cat(fill, mask))`` where ``fill`` is
    :func:`~restora.ops.inpaint.inpaint_classical` with ``classical`` (``"telea"`` or ``"ns"``,
    ``radius``) of the known pixels; computed without gradient, on the CPU, 8-bit in the hole.

    ``image`` ``(B, channels, H, W)`` in [0, 1] (hole values are ignored), ``mask``
    ``(B, 1, H, W)``, **1 = hole**; any size (the U-Net reflect-pads to a multiple of
    ``2**depth``). Returns the raw prediction ``(B, channels, H, W)``, equal to ``image`` outside
    the hole (not clamped). ``width``, ``depth`` and ``norm`` are the U-Net's.

    >>> net = ClassicalRefineNet(width=4, depth=2)
    >>> image, mask = torch.rand(1, 3, 37, 29), torch.zeros(1, 1, 37, 29)
    >>> mask[..., 10:20, 5:9] = 1
    >>> out = net(image, mask)  # untrained: exactly the Telea fill
    >>> bool(torch.equal(out, inpaint_classical(image, mask, method="telea")))
    True
    """

    def __init__(
        self,
        *,
        channels: int = 3,
        classical: Literal["telea", "ns"] = "telea",
        radius: int = 5,
        width: int = 16,
        depth: int = 4,
        norm: Literal["batch", "instance", "group", "none"] = "batch",
    ) -> None:
        super().__init__()
        if classical not in ("telea", "ns"):
            raise ValueError(f"classical must be 'telea' or 'ns', got {classical!r}")
        if channels != 3:
            raise ValueError(f"the classical fills work on RGB: channels must be 3, got {channels}")
        self.classical = classical
        self.radius = radius
        self.body = UNet(
            in_channels=channels + 1, out_channels=channels, width=width, depth=depth, norm=norm
        )
        nn.init.zeros_(self.body.head.weight)
        nn.init.zeros_(self.body.head.bias)

    def classical_fill(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The classical fill of ``image``'s holes ``(B, 3, H, W)``, same device and dtype. An
        image that is all hole (nothing known to diffuse from) is filled with mid-gray."""
        with torch.no_grad():
            known = image.detach().float().clamp(0, 1).cpu()
            holes = mask.detach().float().cpu()
            all_hole = (holes > 0.5).flatten(1).all(dim=1)
            fill = torch.full_like(known, 0.5)
            some = ~all_hole
            if bool(some.any()):
                fill[some] = inpaint_classical(
                    known[some], holes[some], method=self.classical, radius=self.radius
                )
        return fill.to(device=image.device, dtype=image.dtype)

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        fill = self.classical_fill(image, mask)
        return fill + mask * self.body(torch.cat([fill, mask], dim=1))

    def describe(self) -> ModelDescriptor:
        return inpaint_descriptor(self)


@register_model("refine_net.telea")
def refine_net_telea(**overrides: Any) -> ClassicalRefineNet:
    """Telea (radius 5) refined by a U-Net of width 16, depth 4 (1.8 M parameters)."""
    return build(ClassicalRefineNet, overrides, classical="telea", width=16, depth=4)

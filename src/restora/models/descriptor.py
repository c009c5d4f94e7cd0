"""Model descriptors (spandrel style): what a network needs and how to call it safely.

Stages and front ends call a :class:`ModelDescriptor`, never a raw ``nn.Module``: the descriptor
checks the input, pads it to the size the network accepts, runs ``eval()`` under
``torch.inference_mode()``, applies the output activation, clamps to [0, 1] and crops back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from restora.core.checks import check_image, check_mask
from restora.nn.padding import crop_to, pad_to_multiple
from restora.ops.mirror import MIRROR_VIEWS, mirror_average, views_within

__all__ = ["ModelDescriptor", "OutputActivation", "Purpose"]

Purpose = Literal["sr", "denoise", "inpaint", "segment", "image2image"]
OutputActivation = Literal["identity", "sigmoid", "softmax"]
_PURPOSES = ("sr", "denoise", "inpaint", "segment", "image2image")


@dataclass(frozen=True, eq=False)
class ModelDescriptor:
    """A network plus everything needed to run it on any image size.

    - ``purpose``: ``sr``, ``denoise``, ``inpaint``, ``segment`` or ``image2image``.
    - ``scale``: output size / input size (``sr`` only; 1 otherwise).
    - ``in_channels`` / ``out_channels``: image channels in and out (an inpainting model takes
      the mask in addition to ``in_channels``).
    - ``multiple_of`` / ``minimum``: input height and width are padded (``pad_mode``, reflect by
      default; replicate where a side is too small to reflect) to a multiple of ``multiple_of``
      and at least ``minimum``.
    - ``tile_size`` / ``tile_overlap``: advice for tiled inference of large images (input pixels;
      ``tile_size=None`` means the model wants the whole image, e.g. global context).
      ``tile_align``: tiles start at multiples of this (a network's total stride, so tiles agree
      with the whole image); ``bytes_per_pixel``: working memory per input pixel, from which a
      memory budget picks the tile size.
    - ``view_budget_mp``: megapixel-views that :meth:`auto_views` may spend on test-time mirror
      averaging (0: always one view).
    - ``channels_last``: feed the network channels-last inputs (its weights were converted for
      faster CPU inference, see :func:`restora.nn.fusion.inference_form`).
    - ``dtypes``: floating dtypes the model is known to work in.
    - ``output_activation``: applied to the raw output before clamping (``sigmoid``/``softmax``
      for segmentation models that return logits).

    ``__call__(image)`` takes float ``(B, in_channels, H, W)`` in [0, 1]; inpainting descriptors
    take ``(image, mask)`` with ``mask`` ``(B, 1, H, W)``, 1 = hole, thresholded at 0.5; the
    network sees the image with its holes zeroed and its output is composited so known pixels
    are returned unchanged. ``views`` 2 or 4 average the network over the image's mirror images
    (left-right; then up-down and both): logits before the output activation, clamped images
    otherwise. The result is
    ``(B, out_channels, scale*H, scale*W)`` in [0, 1], on the input's device and dtype, an
    ordinary tensor (not an inference tensor). The model's train/eval mode is restored afterwards.
    """

    model: nn.Module
    purpose: Purpose
    in_channels: int
    out_channels: int
    scale: int = 1
    multiple_of: int = 1
    minimum: int = 1
    tile_size: int | None = 512
    tile_overlap: int = 16
    dtypes: tuple[torch.dtype, ...] = (torch.float32,)
    output_activation: OutputActivation = "identity"
    pad_mode: Literal["reflect", "replicate", "constant"] = "reflect"
    tile_align: int = 1
    bytes_per_pixel: float = 400.0
    view_budget_mp: float = 0.0
    channels_last: bool = False

    def __post_init__(self) -> None:
        if self.purpose not in _PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(_PURPOSES)}, got {self.purpose!r}")
        if self.scale < 1 or (self.scale != 1 and self.purpose != "sr"):
            raise ValueError(f"scale must be 1 unless purpose is 'sr', got {self.scale}")
        if self.multiple_of < 1 or self.minimum < 1:
            raise ValueError("multiple_of and minimum must be >= 1")
        if self.tile_align < 1 or self.bytes_per_pixel <= 0 or self.view_budget_mp < 0:
            raise ValueError("need tile_align >= 1, bytes_per_pixel > 0 and view_budget_mp >= 0")

    def auto_views(self, height: int, width: int) -> int:
        """The most mirror views (4, 2 or 1) within :attr:`view_budget_mp` for a photo of this
        size (at least 1)."""
        return views_within(height, width, budget_mp=self.view_budget_mp)

    def pad(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int]]:
        """``x`` padded to the size rules, and its original ``(H, W)``."""
        return pad_to_multiple(
            x, multiple_of=self.multiple_of, minimum=self.minimum, mode=self.pad_mode
        )

    def __call__(
        self, image: torch.Tensor, mask: torch.Tensor | None = None, *, views: int = 1
    ) -> torch.Tensor:
        check_image(image, channels=self.in_channels)
        if views not in MIRROR_VIEWS:
            raise ValueError(f"views must be one of {MIRROR_VIEWS}, got {views!r}")
        if self.purpose == "inpaint":
            if mask is None:
                raise ValueError("an inpainting model needs a mask: call descriptor(image, mask)")
            check_mask(mask, image)
        elif mask is not None:
            raise ValueError(f"a {self.purpose!r} model takes no mask")
        try:
            param = next(self.model.parameters())
            device, dtype = param.device, param.dtype
        except StopIteration:
            device, dtype = image.device, image.dtype
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                out = self._run(image.to(device, dtype), mask, views)
        finally:
            self.model.train(was_training)
        return out.clone().to(image.device, image.dtype)

    def _run(self, image: torch.Tensor, mask: torch.Tensor | None, views: int) -> torch.Tensor:
        padded, (h, w) = self.pad(image)
        logits = self.output_activation != "identity"

        def once(*inputs: torch.Tensor) -> torch.Tensor:
            if self.channels_last:
                inputs = tuple(t.contiguous(memory_format=torch.channels_last) for t in inputs)
            out = self.model(*inputs).contiguous()
            return out if logits else out.clamp(0.0, 1.0)

        if mask is None:
            out = mirror_average(once, padded, views=views)
        else:
            hole = (mask.to(image) > 0.5).to(image.dtype)
            padded_hole = self.pad(hole)[0]
            out = mirror_average(once, padded * (1 - padded_hole), padded_hole, views=views)
        if self.output_activation == "sigmoid":
            out = torch.sigmoid(out)
        elif self.output_activation == "softmax":
            out = torch.softmax(out, dim=1)
        out = crop_to(out.clamp(0.0, 1.0), h * self.scale, w * self.scale)
        if mask is not None:
            out = torch.where(hole > 0.5, out, image)
        return out

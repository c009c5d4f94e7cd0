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
    - ``dtypes``: floating dtypes the model is known to work in.
    - ``output_activation``: applied to the raw output before clamping (``sigmoid``/``softmax``
      for segmentation models that return logits).

    ``__call__(image)`` takes float ``(B, in_channels, H, W)`` in [0, 1]; inpainting descriptors
    take ``(image, mask)`` with ``mask`` ``(B, 1, H, W)``, 1 = hole, thresholded at 0.5; the
    network's output is composited so known pixels are returned unchanged. The result is
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

    def __post_init__(self) -> None:
        if self.purpose not in _PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(_PURPOSES)}, got {self.purpose!r}")
        if self.scale < 1 or (self.scale != 1 and self.purpose != "sr"):
            raise ValueError(f"scale must be 1 unless purpose is 'sr', got {self.scale}")
        if self.multiple_of < 1 or self.minimum < 1:
            raise ValueError("multiple_of and minimum must be >= 1")

    def pad(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int]]:
        """``x`` padded to the size rules, and its original ``(H, W)``."""
        return pad_to_multiple(
            x, multiple_of=self.multiple_of, minimum=self.minimum, mode=self.pad_mode
        )

    def __call__(self, image: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        check_image(image, channels=self.in_channels)
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
                out = self._run(image.to(device, dtype), mask)
        finally:
            self.model.train(was_training)
        return out.clone().to(image.device, image.dtype)

    def _run(self, image: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        padded, (h, w) = self.pad(image)
        if mask is None:
            out = self.model(padded)
        else:
            hole = (mask.to(image) > 0.5).to(image.dtype)
            out = self.model(padded, self.pad(hole)[0])
        if self.output_activation == "sigmoid":
            out = torch.sigmoid(out)
        elif self.output_activation == "softmax":
            out = torch.softmax(out, dim=1)
        out = crop_to(out.clamp(0.0, 1.0), h * self.scale, w * self.scale)
        if mask is not None:
            out = out * hole + image * (1.0 - hole)
        return out

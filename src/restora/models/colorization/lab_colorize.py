"""Run a colorizer on a photo of any size: ab at model resolution, L kept at full resolution.

The model sees the photo's lightness resized so its short side is ``size`` (both sides rounded
to a multiple of 8); its ab prediction is upsampled bilinearly and recombined with the
full-resolution L (:func:`restora.color.recombine.recombine_lab`), so no detail is lost and
the output's L equals the input's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from restora.color.recombine import image_lightness, recombine_lab
from restora.core.checks import check_image, check_mask, check_shape
from restora.ops.hint_pool import pool_hints

__all__ = ["ColorizerDescriptor", "LabColorizer", "colorize_lab", "model_size"]


class LabColorizer(Protocol):
    """What :func:`colorize_lab` needs: ``predict_ab(L (B,1,h,w) in [0,100]) -> ab (B,2,h,w)``
    (``temperature`` is passed only when the caller sets one: classification colorizers)."""

    def predict_ab(
        self,
        lightness: torch.Tensor,
        *,
        hints: torch.Tensor | None = None,
        hint_mask: torch.Tensor | None = None,
        temperature: float | None = None,
    ) -> torch.Tensor: ...


def model_size(height: int, width: int, *, size: int = 256, multiple: int = 8) -> tuple[int, int]:
    """``(h, w)`` with the short side ~``size``, the aspect ratio kept, both multiples of ``multiple``.

    >>> model_size(3000, 4000)
    (256, 344)
    """
    if size < multiple:
        raise ValueError(f"size must be >= {multiple}, got {size}")
    scale = size / min(height, width)

    def side(n: int) -> int:
        return max(multiple, round(n * scale / multiple) * multiple)

    return side(height), side(width)


def colorize_lab(
    model: nn.Module,
    image: torch.Tensor,
    *,
    size: int = 256,
    hints: torch.Tensor | None = None,
    hint_mask: torch.Tensor | None = None,
    rows: int = 512,
    temperature: float | None = None,
) -> torch.Tensor:
    """Colorize ``image`` with ``model`` (any :class:`LabColorizer` module), keeping its L.

    Args:
        model: has ``predict_ab`` (e.g. ``zhang.eccv16``, ``zhang.siggraph17``, restora's own).
        image: float ``(B, 3, H, W)`` sRGB in [0, 1]; only its lightness is used (gray, sepia
            or colour alike).
        size: short side at which the model runs (the Zhang models were trained at 256).
        hints / hint_mask: optional ``(B, 2, H, W)`` ab hints (CIE units) and ``(B, 1, H, W)``
            mask at full resolution, for hint models.
        rows: strip height of the full-resolution colour conversions.
        temperature: annealed-mean temperature for classification colorizers (``None``: the
            model's own default); passed to ``predict_ab`` only when given.

    Returns:
        float ``(B, 3, H, W)`` sRGB in [0, 1] whose CIE L equals the input's (within ~0.01).
        The model runs in eval mode under ``torch.inference_mode``; its mode is restored.
    """
    check_image(image)
    b, _, height, width = image.shape
    if (hints is None) != (hint_mask is None):
        raise ValueError("give both hints and hint_mask, or neither")
    lightness = image_lightness(image, rows=rows)
    small = model_size(height, width, size=size)
    l_small = F.interpolate(lightness, size=small, mode="bilinear", antialias=True)
    kwargs: dict[str, torch.Tensor] = {}
    options = {} if temperature is None else {"temperature": temperature}
    if hints is not None and hint_mask is not None:
        check_shape(hints, [str(b), "2", str(height), str(width)], "hints")
        check_mask(hint_mask, image, "hint_mask")
        kwargs["hints"], kwargs["hint_mask"] = pool_hints(hints.to(image), hint_mask, small)
    try:
        param = next(model.parameters())
        device, dtype = param.device, param.dtype
    except StopIteration:
        device, dtype = image.device, image.dtype
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            ab = model.predict_ab(  # type: ignore[operator]
                l_small.to(device, dtype),
                **{k: v.to(device, dtype) for k, v in kwargs.items()},
                **options,
            )
    finally:
        model.train(was_training)
    ab = ab.clone().to(image.device, image.dtype)
    return recombine_lab(lightness, ab, rows=rows)


@dataclass(frozen=True, eq=False)
class ColorizerDescriptor:
    """A colorizer ready for the pipeline: ``descriptor(image, size=..., hints=..., ...)`` is
    :func:`colorize_lab` with its model; :meth:`decoding` says how ab is decoded (for reports)."""

    model: nn.Module
    purpose: str = "colorize"

    def __call__(
        self,
        image: torch.Tensor,
        *,
        size: int = 256,
        hints: torch.Tensor | None = None,
        hint_mask: torch.Tensor | None = None,
        temperature: float | None = None,
    ) -> torch.Tensor:
        """``image`` ``(B, 3, H, W)`` in [0, 1] colorized, its lightness kept (see
        :func:`colorize_lab`)."""
        return colorize_lab(
            self.model, image, size=size, hints=hints, hint_mask=hint_mask, temperature=temperature
        )

    def decoding(self, temperature: float | None = None) -> str:
        """ "annealed mean, T = ..." for classification colorizers, "regression" otherwise."""
        if getattr(self.model, "decode", "annealed_mean") != "annealed_mean":
            return "regression"
        t = temperature if temperature is not None else getattr(self.model, "temperature", None)
        return "annealed mean" if t is None else f"annealed mean, T = {t:g}"

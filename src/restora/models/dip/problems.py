"""What a DIP fit matches: the degraded observation, the operator between the network's image
and it (identity, a pixel mask, a downscaler) and how the result is finished.

Tasks:
- ``denoise``: ``loss = mse(x, y)``.
- ``inpaint`` / ``restore``: ``loss = mse over known pixels`` (mask 1 = hole / missing);
  ``restore`` is the "restoration from a fraction of pixels" experiment (a random drop mask,
  see :func:`random_drop_mask`). The result puts the known pixels back (``composite``).
- ``sr``: ``loss = mse(down(x), y)`` with ``x`` ``scale`` times larger than ``y``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from restora.core.checks import check_image, check_mask
from restora.models.dip.downsample import Downsampler

__all__ = ["Problem", "make_problem", "random_drop_mask"]


@dataclass
class Problem:
    """A prepared DIP problem.

    ``observed`` ``(1, C, h, w)`` in [0, 1]; ``known`` ``(1, 1, h, w)`` in {0, 1} (1 = pixel
    used by the loss) or None (all pixels); ``down`` maps the network's ``(1, C, H, W)`` image to
    the observation's size (super-resolution) or is None; ``out_size`` = ``(H, W)``.
    """

    task: str
    observed: torch.Tensor
    known: torch.Tensor | None
    down: Downsampler | None
    out_size: tuple[int, int]
    composite: bool = True

    @property
    def channels(self) -> int:
        return int(self.observed.shape[1])

    def loss(self, image: torch.Tensor) -> torch.Tensor:
        """Mean squared error over the used pixels of ``image`` ``(1, C, H, W)``; a scalar."""
        pred = self.down(image) if self.down is not None else image
        diff = (pred - self.observed).square()
        if self.known is None:
            return diff.mean()
        used = self.known.sum() * diff.shape[1]
        return (diff * self.known).sum() / used

    def finish(self, image: torch.Tensor) -> torch.Tensor:
        """``image`` clamped to [0, 1], with the known pixels put back for inpaint / restore."""
        image = image.clamp(0.0, 1.0)
        if self.known is not None and self.composite:
            image = image * (1.0 - self.known) + self.observed * self.known
        return image

    def to(self, device: torch.device | str) -> Problem:
        return Problem(
            task=self.task,
            observed=self.observed.to(device),
            known=None if self.known is None else self.known.to(device),
            down=None if self.down is None else self.down.to(device),
            out_size=self.out_size,
            composite=self.composite,
        )


def make_problem(
    task: str,
    image: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    scale: int | None = None,
    kernel: str = "cubic",
    composite: bool = True,
) -> Problem:
    """Check the inputs of ``task`` and build its :class:`Problem`.

    Args:
        task: "denoise", "inpaint", "restore" or "sr".
        image: ``(1, C, h, w)`` float in [0, 1], C = 1 or 3 (the degraded observation; for
            "sr" the low-resolution image).
        mask: inpaint / restore only: ``(1, 1, h, w)``, 1 = hole / missing (> 0.5 counts).
        scale: "sr" only: integer factor >= 2.
        kernel: "sr" only: the downscaler's kernel (see :class:`Downsampler`).
        composite: inpaint / restore: put the known pixels back into the result.

    Raises:
        ValueError: wrong shapes, ranges, batch > 1, a mask that covers every pixel, a mask or
            scale given to a task that does not take it.
    """
    check_image(image, "image", channels=None)
    if image.shape[0] != 1:
        raise ValueError(f"DIP fits one image at a time: batch must be 1, got {image.shape[0]}")
    if image.shape[1] not in (1, 3):
        raise ValueError(f"image must have 1 or 3 channels, got {image.shape[1]}")
    h, w = image.shape[-2:]
    if task in ("inpaint", "restore"):
        if mask is None:
            raise ValueError(f"task {task!r} needs a mask (1 = hole / missing pixel)")
        check_mask(mask, image, "mask")
        if mask.shape[0] != 1:
            raise ValueError(f"mask batch must be 1, got {mask.shape[0]}")
        known = (mask <= 0.5).to(image.dtype)
        if not bool(known.any()):
            raise ValueError("the mask covers every pixel: nothing is known to fit")
        return Problem(task, image, known, None, (h, w), composite)
    if mask is not None:
        raise ValueError(f"task {task!r} takes no mask")
    if task == "denoise":
        if scale not in (None, 1):
            raise ValueError("task 'denoise' takes no scale")
        return Problem(task, image, None, None, (h, w), composite)
    if task == "sr":
        if scale is None or int(scale) != scale or scale < 2:
            raise ValueError(f"task 'sr' needs an integer scale >= 2, got {scale}")
        out = (h * int(scale), w * int(scale))
        return Problem(task, image, None, Downsampler(out, (h, w), kernel=kernel), out, composite)
    raise ValueError(f"unknown task {task!r}: choose denoise, inpaint, restore or sr")


def random_drop_mask(
    size: tuple[int, int], fraction: float, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """A mask ``(1, 1, H, W)`` float32 with about ``fraction`` of the pixels set to 1 (dropped),
    each pixel independently (Bernoulli); all channels of a pixel drop together.

    >>> m = random_drop_mask((100, 100), 0.5, generator=torch.Generator().manual_seed(0))
    >>> 0.45 < m.mean().item() < 0.55
    True
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction}")
    return (torch.rand(1, 1, *size, generator=generator) < fraction).float()

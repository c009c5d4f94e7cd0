"""Paired geometric transforms: one random crop / flip / 90-degree rotation applied identically
to input, target and mask, so their pixels stay aligned.

Tensors may be ``(C, H, W)`` or ``(B, C, H, W)``; only the last two dimensions are touched.
``None`` entries pass through unchanged (for an absent mask). Randomness comes from ``rng``
(see `restora.data.rng`), never from global state.
"""

from __future__ import annotations

import torch

from restora.data.rng import Rng, numpy_rng
from restora.data.sample import PairedSample


def _size(size: int | tuple[int, int]) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, int) else size
    if height < 1 or width < 1:
        raise ValueError(f"crop size must be positive, got {size}")
    return int(height), int(width)


def _same_size(tensors: tuple[torch.Tensor | None, ...]) -> tuple[int, int]:
    sizes = {tuple(t.shape[-2:]) for t in tensors if t is not None}
    if len(sizes) != 1:
        raise ValueError(f"paired tensors must share one (H, W) size, got {sorted(sizes)}")
    height, width = sizes.pop()
    return height, width


def random_crop_origin(
    height: int, width: int, size: int | tuple[int, int], rng: Rng
) -> tuple[int, int]:
    """Uniform ``(top, left)`` of a ``size`` crop inside ``height x width``."""
    crop_h, crop_w = _size(size)
    if crop_h > height or crop_w > width:
        raise ValueError(f"crop {crop_h}x{crop_w} (HxW) is larger than the image {height}x{width}")
    gen = numpy_rng(rng)
    return int(gen.integers(0, height - crop_h + 1)), int(gen.integers(0, width - crop_w + 1))


def crop(x: torch.Tensor, top: int, left: int, size: int | tuple[int, int]) -> torch.Tensor:
    """``x[..., top:top + h, left:left + w]`` with a bounds check."""
    crop_h, crop_w = _size(size)
    if top < 0 or left < 0 or top + crop_h > x.shape[-2] or left + crop_w > x.shape[-1]:
        raise ValueError(
            f"crop {crop_h}x{crop_w} at ({top}, {left}) leaves the {tuple(x.shape[-2:])} image"
        )
    return x[..., top : top + crop_h, left : left + crop_w]


def center_crop(x: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """The centred ``size`` crop of ``x`` (top-left rounding down)."""
    crop_h, crop_w = _size(size)
    return crop(x, (x.shape[-2] - crop_h) // 2, (x.shape[-1] - crop_w) // 2, (crop_h, crop_w))


def mod_crop(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Crop the bottom/right so height and width are multiples of ``multiple`` (SR evaluation)."""
    if multiple < 1:
        raise ValueError(f"multiple must be >= 1, got {multiple}")
    height, width = x.shape[-2:]
    return x[..., : height - height % multiple, : width - width % multiple]


def paired_random_crop(
    *tensors: torch.Tensor | None, size: int | tuple[int, int], rng: Rng
) -> tuple[torch.Tensor | None, ...]:
    """The same random ``size`` crop of every tensor (all must share one ``(H, W)``)."""
    height, width = _same_size(tensors)
    top, left = random_crop_origin(height, width, size, rng)
    return tuple(None if t is None else crop(t, top, left, size) for t in tensors)


def paired_sr_crop(
    lr: torch.Tensor, hr: torch.Tensor, *, patch: int, scale: int, rng: Rng
) -> tuple[torch.Tensor, torch.Tensor]:
    """Aligned crops of a super-resolution pair: ``patch`` px of ``lr`` at ``(t, l)`` and
    ``patch * scale`` px of ``hr`` at ``(t * scale, l * scale)``.

    ``hr`` must be at least ``scale`` times ``lr`` in each dimension (extra HR rows/columns at
    the bottom/right, as left by a ceil-sized downscale, are ignored).
    """
    if scale < 1:
        raise ValueError(f"scale must be >= 1, got {scale}")
    lr_h, lr_w = lr.shape[-2:]
    if hr.shape[-2] < lr_h * scale or hr.shape[-1] < lr_w * scale:
        # A ceil-sized LR (MATLAB imresize) may be one pixel larger than HR / scale.
        lr_h, lr_w = min(lr_h, hr.shape[-2] // scale), min(lr_w, hr.shape[-1] // scale)
    top, left = random_crop_origin(lr_h, lr_w, patch, rng)
    return crop(lr, top, left, patch), crop(hr, top * scale, left * scale, patch * scale)


def dihedral(x: torch.Tensor, *, hflip: bool, vflip: bool, transpose: bool) -> torch.Tensor:
    """Flip left-right, then top-bottom, then swap H and W (the 8 symmetries of the square).

    ``transpose`` after one flip gives the 90-degree rotations: ``vflip + transpose`` turns
    the image 90 degrees clockwise, ``hflip + transpose`` counter-clockwise.
    """
    if hflip:
        x = x.flip(-1)
    if vflip:
        x = x.flip(-2)
    if transpose:
        x = x.transpose(-1, -2)
    return x.contiguous()


def random_dihedral(
    rng: Rng, *, hflip: bool = True, vflip: bool = True, rotate: bool = True
) -> dict[str, bool]:
    """Draw ``{hflip, vflip, transpose}`` (each with probability 1/2 when allowed); three draws
    are always made so the stream does not depend on the options."""
    gen = numpy_rng(rng)
    draws = gen.random(3) < 0.5
    return {
        "hflip": bool(draws[0]) and hflip,
        "vflip": bool(draws[1]) and vflip,
        "transpose": bool(draws[2]) and rotate,
    }


def paired_flip_rotate(
    *tensors: torch.Tensor | None,
    rng: Rng,
    hflip: bool = True,
    vflip: bool = True,
    rotate: bool = True,
) -> tuple[torch.Tensor | None, ...]:
    """The same random flips / 90-degree rotation for every tensor (sizes may differ)."""
    ops = random_dihedral(rng, hflip=hflip, vflip=vflip, rotate=rotate)
    return tuple(None if t is None else dihedral(t, **ops) for t in tensors)


def augment_sample(
    sample: PairedSample, rng: Rng, *, hflip: bool = True, vflip: bool = True, rotate: bool = True
) -> PairedSample:
    """A `PairedSample` with the same random flips / rotation applied to input, target, mask."""
    ops = random_dihedral(rng, hflip=hflip, vflip=vflip, rotate=rotate)
    return PairedSample(
        input=dihedral(sample.input, **ops),
        target=dihedral(sample.target, **ops),
        mask=None if sample.mask is None else dihedral(sample.mask, **ops),
        meta={**sample.meta, "dihedral": ops},
    )

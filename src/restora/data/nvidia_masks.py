"""`NvidiaMasks`: the NVIDIA irregular hole masks (Liu et al., "Image Inpainting for Irregular
Holes Using Partial Convolutions", ECCV 2018) from a folder of PNGs (255 = hole), with a fixed
held-out split and random flips, rotations and rescaling to the requested size."""

from __future__ import annotations

import os
from typing import Literal

import torch
import torch.nn.functional as F

from restora.data.datasets import list_images
from restora.data.rng import Rng, numpy_rng
from restora.data.transforms import dihedral, random_dihedral
from restora.io import read_mask


class NvidiaMasks:
    """Masks from the NVIDIA irregular mask files, as a mask generator.

    Files are sorted by name; file ``i`` (0-based position in that order) is held out for
    ``split="test"`` when ``i % test_every == 0`` and used for ``split="train"`` otherwise, so
    with ``test_every=10`` the test split is files 0, 10, 20, ... (every 10th, 10 %) and the
    two splits never share a file. (The NVIDIA test set is ordered by hole size, so this takes
    every hole-size band evenly.) ``split="all"`` uses every file.

    Each call picks a file uniformly, and with ``augment`` applies a random flip / 90-degree
    rotation and crops a random window of ``crop_scale`` times the file's side (keeping the
    requested aspect ratio). The result is resized to ``(height, width)`` by area averaging and
    thresholded at 0.5. Holes in these files are denser in the centre, so cropping raises the
    mean hole ratio (measured on the 2000-file subset: 0.30 over the files, 0.40 for 256x256
    masks with the default ``crop_scale``).

    Returns float32 ``(1, 1, H, W)`` in {0, 1}, 1 = hole.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        *,
        split: Literal["train", "test", "all"] = "train",
        test_every: int = 10,
        augment: bool = True,
        crop_scale: tuple[float, float] = (0.5, 1.0),
    ) -> None:
        self.folder, self.split, self.test_every = folder, split, test_every
        self.augment, self.crop_scale = augment, crop_scale
        if self.split not in ("train", "test", "all"):
            raise ValueError(f"split must be 'train', 'test' or 'all', got {self.split!r}")
        if self.test_every < 2:
            raise ValueError(f"test_every must be >= 2, got {self.test_every}")
        if not 0 < self.crop_scale[0] <= self.crop_scale[1] <= 1:
            raise ValueError(f"crop_scale must satisfy 0 < low <= high <= 1, got {self.crop_scale}")
        everything = list_images(self.folder, recursive=False, suffixes=(".png",))
        if self.split == "all":
            chosen = everything
        else:
            held_out = self.split == "test"
            chosen = [p for i, p in enumerate(everything) if (i % self.test_every == 0) == held_out]
        if not chosen:
            raise ValueError(f"no mask files for split {self.split!r} in '{self.folder}'")
        self.paths = tuple(chosen)

    def __len__(self) -> int:
        return len(self.paths)

    def load(self, index: int) -> torch.Tensor:
        """The mask file ``index`` of this split, unchanged: ``(1, 1, h, w)`` in {0, 1}."""
        return read_mask(self.paths[index], hole_value="white")

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        gen = numpy_rng(rng)
        mask = self.load(int(gen.integers(0, len(self))))
        ops = random_dihedral(gen)
        fraction = float(gen.uniform(*self.crop_scale))
        unit_top, unit_left = float(gen.random()), float(gen.random())
        if self.augment:
            mask = dihedral(mask, **ops)
            src_h, src_w = mask.shape[-2:]
            # Largest window with the target aspect ratio, shrunk by ``fraction``.
            fit = min(src_h / height, src_w / width) * fraction
            win_h = max(1, min(src_h, round(height * fit)))
            win_w = max(1, min(src_w, round(width * fit)))
            top = int(unit_top * (src_h - win_h + 1))
            left = int(unit_left * (src_w - win_w + 1))
            mask = mask[..., top : top + win_h, left : left + win_w]
        resized = F.interpolate(mask, size=(height, width), mode="area")
        return (resized >= 0.5).float()

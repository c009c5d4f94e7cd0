"""`PairedDataset`: a task preset applied to an image folder, deterministic per (seed, epoch,
index)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

from restora.data.datasets import ImageFolder
from restora.data.rng import sample_rng
from restora.data.sample import PairedSample
from restora.data.tasks import Task
from restora.data.transforms import (
    center_crop,
    dihedral,
    mod_crop,
    random_crop_origin,
    random_dihedral,
)
from restora.ops.resize import imresize


class PairedDataset(Dataset):
    """Paired samples for ``task`` made from the clean images of ``images``.

    Item ``i``: load clean image ``i`` -> crop ``crop_size`` (random, or centred when
    ``random_crop=False``; images with a shorter side below ``crop_size`` are first enlarged
    with MATLAB bicubic, noted as ``meta["upscaled"]``) -> random flips / 90-degree rotation
    (``augment``) -> ``task.make_pair``. With ``crop_size=None`` the whole image is used,
    cropped at the bottom/right to a multiple of ``task.crop_multiple``.

    All randomness comes from ``restora.data.rng.sample_rng(seed, epoch, i)``: the same seed,
    epoch and index give an identical sample in any worker and any order; `set_epoch` changes
    the draws for the next epoch.

    Args:
        images: an `ImageFolder` (paths go to ``meta["path"]``) or any sequence of clean
            float32 ``(3, H, W)`` tensors in [0, 1].
        task: a task preset from `restora.data.tasks`.
        crop_size: side of the square crop of the clean image (the SR target size); must be a
            multiple of ``task.crop_multiple``.
        seed: base seed.
        augment: random flips and rotations.
        random_crop: random crop position (else centred, for validation).
    """

    def __init__(
        self,
        images: ImageFolder | Sequence[torch.Tensor],
        task: Task,
        *,
        crop_size: int | None = 256,
        seed: int = 0,
        augment: bool = True,
        random_crop: bool = True,
    ) -> None:
        multiple = task.crop_multiple
        if crop_size is not None and (crop_size < 1 or crop_size % multiple):
            raise ValueError(
                f"crop_size {crop_size} must be a positive multiple of {multiple} for task "
                f"{task.name!r}"
            )
        self.images, self.task = images, task
        self.crop_size, self.seed = crop_size, int(seed)
        self.augment, self.random_crop = augment, random_crop
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw different crops and degradations for epoch ``epoch`` (call in every worker's
        copy, e.g. before each epoch with persistent workers off)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.images)

    def _load(self, index: int) -> tuple[torch.Tensor, str | None]:
        if isinstance(self.images, ImageFolder):
            image, path = self.images.get(index)
            return image, str(path)
        image = self.images[index]
        return image, None

    def __getitem__(self, index: int) -> PairedSample:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        rng = sample_rng(self.seed, index, self.epoch)
        image, path = self._load(index)
        clean = image.unsqueeze(0).float()
        meta: dict = {"index": index, "path": path, "seed": self.seed, "epoch": self.epoch}
        size = self.crop_size
        if size is None:
            clean = mod_crop(clean, self.task.crop_multiple)
        else:
            height, width = clean.shape[-2:]
            if min(height, width) < size:
                factor = size / min(height, width)
                new = (max(size, math.ceil(height * factor)), max(size, math.ceil(width * factor)))
                clean = imresize(clean, size=new).clamp(0, 1)
                meta["upscaled"] = True
            if self.random_crop:
                top, left = random_crop_origin(clean.shape[-2], clean.shape[-1], size, rng)
                clean = clean[..., top : top + size, left : left + size]
            else:
                clean = center_crop(clean, size)
        if self.augment:
            clean = dihedral(clean, **random_dihedral(rng))
        sample = self.task.make_pair(clean.contiguous(), rng)
        sample.meta = {**meta, "task": self.task.name, **sample.meta}
        return sample

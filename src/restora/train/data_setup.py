"""From ``[task]`` and ``[data]`` to the training feed and the validation batches."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from restora.data.datasets import ImageFolder
from restora.data.paired import PairedDataset
from restora.data.sample import PairedSample
from restora.data.tasks import Task as DataTask
from restora.data.tasks import build_task
from restora.train.config import TrainConfig, folder_slice, resolve_options, resolve_path
from restora.train.distributed import DistInfo
from restora.train.feed import StepBatches, fixed_batches


class ImageList(Sequence[torch.Tensor]):
    """Clean images ``(3, H, W)`` drawn from several :class:`ImageFolder` s, in a fixed order."""

    def __init__(self, entries: list[tuple[ImageFolder, int]]) -> None:
        self.entries = entries

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> torch.Tensor:  # type: ignore[override]
        folder, i = self.entries[index]
        return folder[i]

    def paths(self) -> list[Path]:
        return [folder.paths[i] for folder, i in self.entries]


@dataclass
class TrainingData:
    """The training feed, fixed validation batches, one example batch and the file manifest."""

    preset: DataTask
    feed: StepBatches
    validation: list[PairedSample]
    example: PairedSample
    manifest: dict


def _images(folders: list[str], *, max_images: int, cache: bool) -> list[tuple[ImageFolder, int]]:
    entries = []
    for name in folders:
        path, part = folder_slice(name)
        folder = ImageFolder(resolve_path(path), cache=cache)
        chosen = list(range(len(folder)))[part]
        count = len(chosen) if max_images == 0 else min(max_images, len(chosen))
        entries += [(folder, i) for i in chosen[:count]]
    return entries


def split_images(config: TrainConfig) -> tuple[ImageList, ImageList]:
    """Training and validation images: ``data.val`` folders, or the last ``data.val_count``
    training images when ``data.val`` is empty."""
    data = config.data
    train = _images(data.train, max_images=data.max_images, cache=data.cache)
    if data.val:
        val = _images(data.val, max_images=data.val_count, cache=data.cache)
    else:
        if data.val_count >= len(train):
            raise ValueError(
                f"data.val_count = {data.val_count} leaves no training images out of {len(train)}"
            )
        cut = len(train) - data.val_count
        train, val = train[:cut], train[cut:]
    return ImageList(train), ImageList(val)


def manifest(train: ImageList, val: ImageList) -> dict:
    """File names and sizes of the data, with a sha256 over them (saved with checkpoints)."""

    def entries(images: ImageList) -> list[list]:
        return [[str(p), p.stat().st_size] for p in images.paths()]

    files = {"train": entries(train), "val": entries(val)}
    digest = hashlib.sha256(repr(files).encode("utf-8")).hexdigest()
    return {"sha256": digest, **files}


def build_training_data(config: TrainConfig, dist: DistInfo) -> TrainingData:
    """The data of a run: this rank's shard of every batch, and the validation batches."""
    preset = build_task(config.task.preset, resolve_options(config.task.options))
    train, val = split_images(config)
    pairs = PairedDataset(train, preset, crop_size=config.data.crop, seed=config.seed)
    feed = StepBatches(
        pairs, batch_size=config.data.batch_size, rank=dist.rank, world_size=dist.world_size
    )
    validation: list[PairedSample] = []
    if len(val) and dist.is_main:
        val_pairs = PairedDataset(
            val,
            preset,
            crop_size=config.data.val_crop,
            seed=config.seed,
            augment=False,
            random_crop=False,
        )
        validation = fixed_batches(val_pairs, batch_size=config.data.batch_size)
    return TrainingData(
        preset=preset,
        feed=feed,
        validation=validation,
        example=feed[0],
        manifest=manifest(train, val),
    )

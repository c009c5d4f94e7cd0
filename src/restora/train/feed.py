"""Batches as pure functions of ``(seed, step)``: resuming needs no iterator state.

Global batch ``step`` holds the stream positions ``step * B ... step * B + B - 1``. Position
``p`` is item ``perm_e[p mod n]`` of epoch ``e = p // n`` of a
:class:`~restora.data.paired.PairedDataset` of ``n`` images, where ``perm_e`` is a permutation
seeded by ``(seed, e)``; the dataset draws that item's crop, flips and degradation from
``(seed, epoch, index)``. With ``N`` processes rank ``r`` builds the ``r``-th contiguous slice of
each global batch (disjoint, equal sizes), so the global batch does not depend on ``N``.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
import torch

from restora.data.paired import PairedDataset
from restora.data.sample import PairedSample, collate_samples

_EPOCH_STREAM = 0x5EED0E9C


@lru_cache(maxsize=4)
def epoch_permutation(seed: int, epoch: int, count: int) -> np.ndarray:
    """The item order of ``epoch``: a permutation of ``range(count)`` seeded by ``(seed, epoch)``."""
    rng = np.random.default_rng(np.random.SeedSequence([_EPOCH_STREAM, seed, epoch]))
    return rng.permutation(count)


def shard(batch_size: int, rank: int, world_size: int) -> range:
    """The slots of a global batch that ``rank`` builds (contiguous, disjoint, equal sizes).

    >>> list(shard(8, 1, 2))
    [4, 5, 6, 7]
    """
    if batch_size % world_size:
        raise ValueError(f"batch size {batch_size} is not divisible by {world_size} processes")
    per = batch_size // world_size
    return range(rank * per, (rank + 1) * per)


class StepBatches(torch.utils.data.Dataset):
    """``feed[step]``: this rank's part of global batch ``step``, a collated
    :class:`~restora.data.sample.PairedSample` of ``(b, C, H, W)`` tensors.

    Args:
        pairs: the paired dataset (random crops, augmentation); its ``seed`` drives the draws.
        batch_size: the global batch size.
        rank, world_size: this process among ``world_size``.
    """

    def __init__(
        self, pairs: PairedDataset, *, batch_size: int, rank: int = 0, world_size: int = 1
    ) -> None:
        if len(pairs) == 0:
            raise ValueError("no training images")
        self.pairs = copy.copy(pairs)  # set_epoch below must not touch the caller's dataset
        self.batch_size = batch_size
        self.slots = shard(batch_size, rank, world_size)

    def __len__(self) -> int:  # endless; a DataLoader asks only for the steps its sampler names
        return 2**62

    def item(self, position: int) -> tuple[int, int]:
        """``(epoch, dataset index)`` of stream position ``position``."""
        count = len(self.pairs)
        epoch, offset = divmod(position, count)
        return epoch, int(epoch_permutation(self.pairs.seed, epoch, count)[offset])

    def __getitem__(self, step: int) -> PairedSample:
        samples = []
        for slot in self.slots:
            epoch, index = self.item(step * self.batch_size + slot)
            self.pairs.set_epoch(epoch)
            samples.append(self.pairs[index])
        return collate_samples(samples)


def _identity(batch: PairedSample) -> PairedSample:
    return batch


def step_loader(
    feed: StepBatches, *, start: int, stop: int, workers: int
) -> torch.utils.data.DataLoader:
    """Batches ``start .. stop - 1`` of ``feed`` in order, built by ``workers`` processes."""
    return torch.utils.data.DataLoader(
        feed,
        batch_size=None,
        sampler=range(start, stop),
        num_workers=workers,
        collate_fn=_identity,
        prefetch_factor=2 if workers > 0 else None,
    )


def fixed_batches(pairs: PairedDataset, *, batch_size: int) -> list[PairedSample]:
    """Every item of ``pairs`` (epoch 0), collated in batches: the same pairs at every
    validation (use ``random_crop=False, augment=False``)."""
    pairs = copy.copy(pairs)
    pairs.set_epoch(0)
    samples = [pairs[i] for i in range(len(pairs))]
    return [
        collate_samples(samples[i : i + batch_size]) for i in range(0, len(samples), batch_size)
    ]

"""`PairedSample`: one training example (input, target, optional mask, metadata) and its collate.

A dataset item holds unbatched tensors ``(C, H, W)``; :func:`collate_samples` stacks a list of
them into one `PairedSample` of ``(B, C, H, W)`` tensors, for ``DataLoader(collate_fn=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class PairedSample:
    """Input and target of an image-to-image task.

    Attributes:
        input: float32 ``(C, H, W)`` (item) or ``(B, C, H, W)`` (batch).
        target: float32 ``(C', H', W')`` / ``(B, C', H', W')``; sizes may differ from ``input``
            (super-resolution).
        mask: float32 ``(1, H, W)`` / ``(B, 1, H, W)`` in {0, 1}, 1 = hole, or None.
        meta: plain values (index, path, seed, degradation parameters); after collation each
            key maps to a list with one entry per item.
    """

    input: torch.Tensor
    target: torch.Tensor
    mask: torch.Tensor | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to(self, device: torch.device | str, *, non_blocking: bool = False) -> PairedSample:
        """A copy with the tensors moved to ``device`` (meta is shared)."""
        mask = None if self.mask is None else self.mask.to(device, non_blocking=non_blocking)
        return PairedSample(
            input=self.input.to(device, non_blocking=non_blocking),
            target=self.target.to(device, non_blocking=non_blocking),
            mask=mask,
            meta=self.meta,
        )

    def pin_memory(self) -> PairedSample:
        """Pinned copy (called by ``DataLoader(pin_memory=True)``)."""
        return PairedSample(
            input=self.input.pin_memory(),
            target=self.target.pin_memory(),
            mask=None if self.mask is None else self.mask.pin_memory(),
            meta=self.meta,
        )


def collate_samples(samples: Sequence[PairedSample]) -> PairedSample:
    """Stack item samples into a batch: tensors ``(B, C, H, W)``, ``meta`` a dict of lists.

    Masks must be given for all samples or for none. Meta keys missing in some sample get
    ``None`` there.

    >>> s = PairedSample(torch.zeros(3, 4, 4), torch.ones(3, 8, 8), meta={"index": 0})
    >>> batch = collate_samples([s, s])
    >>> tuple(batch.input.shape), tuple(batch.target.shape), batch.meta["index"]
    ((2, 3, 4, 4), (2, 3, 8, 8), [0, 0])
    """
    if not samples:
        raise ValueError("cannot collate an empty list of samples")
    has_mask = [s.mask is not None for s in samples]
    if any(has_mask) and not all(has_mask):
        raise ValueError("some samples have a mask and others do not")
    keys: list[str] = []
    for s in samples:
        keys.extend(k for k in s.meta if k not in keys)
    return PairedSample(
        input=torch.stack([s.input for s in samples]),
        target=torch.stack([s.target for s in samples]),
        mask=torch.stack([s.mask for s in samples]) if all(has_mask) else None,  # type: ignore[misc]
        meta={k: [s.meta.get(k) for s in samples] for k in keys},
    )

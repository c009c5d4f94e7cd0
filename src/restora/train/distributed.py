"""Process-group setup for ``torchrun`` (DDP), rank-0 helpers and metric averaging.

A run is distributed when ``WORLD_SIZE`` > 1 is in the environment (``torchrun`` sets it, with
``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``). The backend is gloo on CPU and
NCCL on CUDA. Without those variables everything runs in one process and the helpers are no-ops.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands: ``rank`` of ``world_size``; ``local_rank`` picks the GPU."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """True on rank 0, the only process that logs and writes checkpoints."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def env_dist_info() -> DistInfo:
    """Rank and world size from the torchrun environment variables (single process if absent)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    return DistInfo(
        rank=int(os.environ["RANK"]),
        world_size=world,
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
    )


def init_distributed(device: torch.device) -> DistInfo:
    """Join the process group torchrun describes (no-op for one process); return :class:`DistInfo`."""
    info = env_dist_info()
    if info.distributed and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, rank=info.rank, world_size=info.world_size)
    return info


def shutdown_distributed() -> None:
    """Leave the process group if one was joined."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.distributed:
        dist.barrier()


def wrap_model(model: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    """``DistributedDataParallel(model)`` when distributed, else ``model`` itself.

    Parameters are broadcast from rank 0 when wrapping, so every rank starts equal.
    """
    if not info.distributed:
        return model
    ids = (
        [device.index if device.index is not None else info.local_rank]
        if device.type == "cuda"
        else None
    )
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def mean_over_ranks(
    values: dict[str, float], info: DistInfo, device: torch.device
) -> dict[str, float]:
    """Average scalar logs over ranks (every rank gets the same dict; keys must match)."""
    if not info.distributed or not values:
        return values
    keys = list(values)
    tensor = torch.tensor([values[k] for k in keys], dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    tensor /= info.world_size
    return dict(zip(keys, tensor.tolist(), strict=True))

"""The empirical ab distribution of a training set: the prior of Zhang et al.'s class rebalancing.

:func:`ab_prior` counts, over small copies of the training images (short side ``size``, by
default 64 px, read with :func:`restora.io.read_thumbnail`), how many pixels fall nearest to
each ab bin centre. At most ``max_images`` files are read, spread evenly over the sorted list,
so the result is deterministic and a few seconds long (about 1.5 s for 1,500 photos). Pixels
are first counted in cells of 1 x 1 ab unit (edges on integers, so on the borders between the
10-unit bins too) and each cell is then given to the bin nearest its centre: exact inside the
bins' lattice; only beyond its edge, where Voronoi borders run diagonally, a pixel may land in a
neighbour bin - immaterial for a prior that is smoothed by a Gaussian of 5 units. The counts go to
:func:`restora.losses.rebalance_weights`, which smooths, mixes with uniform and inverts them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from restora.color.ab_bins import nearest_bin
from restora.color.lab import rgb_to_lab
from restora.core.checks import check_shape
from restora.core.errors import ImageReadError
from restora.io import read_thumbnail

__all__ = ["AbPrior", "ab_prior", "load_ab_prior"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AbPrior:
    """Pixel counts per ab bin of a set of images.

    Attributes:
        counts: ``(Q,)`` float64 pixel counts (thumbnail pixels), in the order of ``centres``.
        centres: ``(Q, 2)`` the bin centres counted against (CIE ab).
        images: how many files were counted.
        size: short side of the thumbnails.
        skipped: files that could not be read (logged), as ``"path: reason"``.
    """

    counts: torch.Tensor
    centres: torch.Tensor
    images: int
    size: int
    skipped: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """JSON-able record (``counts`` and ``centres`` as lists)."""
        return {
            "images": self.images,
            "size": self.size,
            "pixels": float(self.counts.sum()),
            "skipped": list(self.skipped),
            "centres": self.centres.tolist(),
            "counts": self.counts.tolist(),
        }


def _evenly_spaced(count: int, limit: int) -> list[int]:
    if limit <= 0 or count <= limit:
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, limit)})


def ab_prior(
    paths: Sequence[str | Path],
    centres: torch.Tensor,
    *,
    size: int = 64,
    max_images: int = 2000,
) -> AbPrior:
    """Count the ab values of the images at ``paths`` per nearest bin of ``centres``.

    Args:
        paths: image files (e.g. a run's training images, validation held out).
        centres: ``(Q, 2)`` bin centres (e.g. :func:`restora.color.ab_bins.zhang_ab_bins`).
        size: short side of the thumbnails the counting runs on.
        max_images: read at most this many files, evenly spread over ``paths`` (0 = all).

    Returns:
        :class:`AbPrior`. Unreadable files are logged and listed in ``skipped``; raises
        ``ValueError`` when no file at all could be read. Results are cached per process
        (same paths, centres and sizes -> same object).
    """
    check_shape(centres, ["Q", "2"], "centres")
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    key = tuple(str(p) for p in paths)
    flat = tuple(float(v) for v in centres.flatten().tolist())
    return _cached_prior(key, flat, size, max(0, int(max_images)))


_LIMIT = 128  # |a|, |b| of sRGB colours stay below 128
_SIDE = 2 * _LIMIT


def _grid_counts(ab: torch.Tensor) -> torch.Tensor:
    """Counts of ``ab (1, 2, H, W)`` per 1 x 1 cell ``[k, k + 1)``, ``k`` in -128 .. 127."""
    cells = ab.floor().clamp(-_LIMIT, _LIMIT - 1).long() + _LIMIT
    index = (cells[:, 0] * _SIDE + cells[:, 1]).flatten()
    return torch.bincount(index, minlength=_SIDE * _SIDE).double()


def _bin_counts(grid: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """Grid counts -> counts per nearest bin of ``centres``."""
    cells = grid.nonzero().flatten()
    ab = torch.stack([cells // _SIDE - _LIMIT, cells % _SIDE - _LIMIT]).float() + 0.5
    nearest = nearest_bin(ab.view(1, 2, 1, -1), centres).flatten()
    return torch.bincount(nearest, weights=grid[cells], minlength=len(centres)).double()


@lru_cache(maxsize=8)
def _cached_prior(
    paths: tuple[str, ...], centres_flat: tuple[float, ...], size: int, max_images: int
) -> AbPrior:
    centres = torch.tensor(centres_flat, dtype=torch.float32).view(-1, 2)
    grid = torch.zeros(_SIDE * _SIDE, dtype=torch.float64)
    skipped: list[str] = []
    used = 0
    for index in _evenly_spaced(len(paths), max_images):
        path = paths[index]
        try:
            thumb = read_thumbnail(path, size=size)
        except (ImageReadError, OSError) as exc:
            log.warning("ab prior: skipping '%s' (%s)", path, exc)
            skipped.append(f"{path}: {exc}")
            continue
        grid += _grid_counts(rgb_to_lab(thumb)[:, 1:])
        used += 1
    if used == 0:
        raise ValueError(f"ab prior: none of the {len(paths)} images could be read")
    return AbPrior(_bin_counts(grid, centres), centres, used, size, tuple(skipped))


def load_ab_prior(path: str | Path) -> torch.Tensor:
    """Bin counts ``(Q,)`` float64 from a ``.npy`` file (a ``(Q,)`` array) or a ``.json`` file
    written from :meth:`AbPrior.to_dict` (key ``counts``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ab prior file not found: {path}")
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "counts" not in data:
            raise ValueError(f"{path}: expected a JSON object with 'counts'")
        values = np.asarray(data["counts"], dtype=np.float64)
    else:
        values = np.asarray(np.load(path, allow_pickle=False), dtype=np.float64)
    if values.ndim != 1 or not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"{path}: expected a (Q,) array of non-negative finite counts")
    return torch.from_numpy(values)

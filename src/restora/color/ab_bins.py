"""Quantized ab space of Zhang et al. ("Colorful Image Colorization", ECCV 2016).

The ab plane is cut into squares of side 10 centred on multiples of 10; the authors keep the
Q = 313 centres that lie inside a convex hull around the colours of natural images
(``pts_in_hull.npy``, ``(313, 2)`` int64, sorted by a then b). Everything here works on those
centres in CIE units (a, b roughly [-110, 110]):

- :func:`load_ab_bins` reads the authors' file by path (restora never copies it);
- :func:`zhang_ab_bins` recomputes the same 313 centres without the file, as the lattice points
  inside the 16-vertex hull :data:`ZHANG_HULL` (the hull of the authors' own centres);
- :func:`srgb_gamut_bins` is the bins a strict sRGB (D65) gamut gives - fewer than 313: the
  authors' hull is wider than sRGB (greens and cyans beyond the sRGB primaries);
- :func:`grid_ab_bins` is the full 23 x 23 grid (529 centres, a and b in -110..110) of the
  SIGGRAPH17 network's classification head; :func:`class_ab_bins` picks the centres of a
  313- or 529-class head;
- :func:`soft_encode` (k nearest bins, Gaussian weights) turns ab targets into distributions;
- :func:`annealed_mean` turns predicted distributions back into ab (temperature ``T``);
- :func:`ab_histogram` counts ab values per bin, the empirical prior that
  :func:`restora.losses.rebalance_weights` smooths, mixes with uniform and inverts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from restora.color.lab import rgb_to_lab
from restora.core.checks import check_shape

__all__ = [
    "GRID",
    "ZHANG_HULL",
    "ab_histogram",
    "annealed_mean",
    "class_ab_bins",
    "grid_ab_bins",
    "load_ab_bins",
    "nearest_bin",
    "soft_encode",
    "soft_encode_sparse",
    "srgb_gamut_bins",
    "zhang_ab_bins",
]

GRID = 10  # side of a bin in ab units
# Vertices (a, b) of the convex hull of the authors' 313 centres, counter-clockwise.
ZHANG_HULL = (
    (-90, 90), (-90, 50), (-80, 20), (-60, -20), (-30, -50), (10, -80), (40, -100), (60, -110),
    (90, -110), (100, -90), (100, 0), (90, 70), (70, 80), (40, 90), (0, 100), (-50, 100),
)  # fmt: skip


def _lattice(limit: int = 120) -> np.ndarray:
    """All multiples of GRID in [-limit, limit]^2 as ``(N, 2)`` int64, sorted by a then b."""
    g = np.arange(-limit, limit + 1, GRID, dtype=np.int64)
    a, b = np.meshgrid(g, g, indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)


def _inside_convex(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Boolean ``(N,)``: points inside or on a convex counter-clockwise polygon ``(V, 2)``."""
    edge = np.roll(polygon, -1, axis=0) - polygon  # (V, 2)
    rel = points[:, None, :] - polygon[None, :, :]  # (N, V, 2)
    cross = edge[None, :, 0] * rel[..., 1] - edge[None, :, 1] * rel[..., 0]
    return (cross >= 0).all(axis=1)


def zhang_ab_bins(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The authors' 313 ab bin centres, computed (no file needed): ``(313, 2)`` in CIE units.

    Lattice points (multiples of 10) inside :data:`ZHANG_HULL`, sorted by a then b - the same
    values in the same order as ``pts_in_hull.npy`` (checked by the tests when it is present).

    >>> bins = zhang_ab_bins()
    >>> tuple(bins.shape), bins[0].tolist()
    ((313, 2), [-90.0, 50.0])
    """
    lattice = _lattice()
    keep = _inside_convex(lattice, np.asarray(ZHANG_HULL, dtype=np.int64))
    return torch.from_numpy(lattice[keep]).to(dtype)


def grid_ab_bins(limit: int = 110, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Every multiple of 10 in ``[-limit, limit]^2``: ``(((2 limit / 10) + 1)^2, 2)``, a-major.

    With the default this is the 23 x 23 = 529-class grid of Zhang et al.'s SIGGRAPH17
    classification head, in the authors' order (class ``23 * ia + ib`` with
    ``ia = (a + 110) / 10``, ``ib = (b + 110) / 10``); the 313 ECCV16 bins are a subset.

    >>> bins = grid_ab_bins()
    >>> tuple(bins.shape), bins[0].tolist(), bins[1].tolist()
    ((529, 2), [-110.0, -110.0], [-110.0, -100.0])
    """
    if limit < 0 or limit % GRID:
        raise ValueError(f"limit must be a non-negative multiple of {GRID}, got {limit}")
    return torch.from_numpy(_lattice(limit)).to(dtype)


def class_ab_bins(num_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The ab centres of a classification head with ``num_classes`` outputs: 313 -> the ECCV16
    bins (:func:`zhang_ab_bins`), 529 -> the SIGGRAPH17 grid (:func:`grid_ab_bins`).

    Raises ``ValueError`` for any other count (no centres are defined for it).
    """
    if num_classes == 313:
        return zhang_ab_bins(dtype)
    if num_classes == 529:
        return grid_ab_bins(110, dtype)
    raise ValueError(
        f"no ab bin centres for {num_classes} classes (313: Zhang et al.'s in-gamut bins, "
        "529: the 23 x 23 grid)"
    )


def load_ab_bins(path: str | Path, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Read ab bin centres from a ``.npy`` file (e.g. the authors' ``pts_in_hull.npy``).

    Returns ``(Q, 2)`` in ``dtype``. Raises ``FileNotFoundError`` when the file is missing and
    ``ValueError`` when it does not hold a ``(Q, 2)`` array of finite numbers. The file is read
    with ``allow_pickle=False``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ab bin file not found: {path}")
    array = np.load(path, allow_pickle=False)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] < 1:
        raise ValueError(f"{path}: expected a (Q, 2) array of ab centres, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{path}: ab centres must be finite")
    return torch.from_numpy(np.asarray(array, dtype=np.float64)).to(dtype)


def srgb_gamut_bins(*, samples: int = 64, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Bins whose centre is the nearest centre of some sRGB colour: ``(Q', 2)``, sorted.

    The sRGB cube is sampled on a ``samples``^3 grid, converted to Lab (D65) and every colour
    is assigned to its nearest multiple of 10. With the default this gives 261 bins, all among
    the authors' 313: the sRGB gamut alone does not explain their set (see the module docstring).
    """
    if samples < 2:
        raise ValueError(f"samples must be >= 2, got {samples}")
    v = torch.linspace(0, 1, samples, dtype=torch.float64)
    r, g, b = torch.meshgrid(v, v, v, indexing="ij")
    rgb = torch.stack([r, g, b]).reshape(1, 3, samples * samples, samples)
    ab = rgb_to_lab(rgb)[0, 1:].reshape(2, -1).T
    centres = torch.unique(torch.round(ab / GRID).long(), dim=0) * GRID  # sorted by a then b
    return centres.to(dtype)


def _flat_ab(ab: torch.Tensor) -> torch.Tensor:
    check_shape(ab, ["B", "2", "H", "W"], "ab")
    return ab.permute(0, 2, 3, 1).reshape(-1, 2)


def nearest_bin(ab: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """Index of the nearest centre per pixel: ``ab (B, 2, H, W)`` -> ``(B, H, W)`` int64."""
    check_shape(centres, ["Q", "2"], "centres")
    b, _, h, w = ab.shape
    d2 = torch.cdist(_flat_ab(ab).float(), centres.to(ab.device).float())
    return d2.argmin(dim=1).view(b, h, w)


def _nearest_full(flat: torch.Tensor, c: torch.Tensor, k: int) -> torch.Tensor:
    """Indices ``(N, k)`` of the ``k`` nearest centres, nearest first (matrix distance form)."""
    d2 = (c.square().sum(1)[None, :] - 2 * flat @ c.T).add_(flat.square().sum(1, keepdim=True))
    return d2.topk(k, dim=1, largest=False, sorted=True).indices


def _nearest_on_lattice(flat: torch.Tensor, c: torch.Tensor, k: int) -> torch.Tensor:
    """:func:`_nearest_full` for centres on the ``GRID`` lattice, searching only the 4 x 4 lattice
    points around each value (every point outside is >= 2 GRID away along one axis). Rows whose
    ``k``-th candidate is farther than that (values beyond the bins' edge) use the full search.
    """
    cell = torch.round(c / GRID).long()  # (Q, 2) lattice coordinates
    low = cell.amin(0)
    span = cell.amax(0) - low + 1
    table = torch.full((int(span[0]), int(span[1])), -1, dtype=torch.long, device=c.device)
    table[cell[:, 0] - low[0], cell[:, 1] - low[1]] = torch.arange(len(c), device=c.device)
    steps = torch.arange(-1, 3, device=c.device)
    offsets = torch.cartesian_prod(steps, steps)  # (16, 2)
    cand = torch.floor(flat / GRID).long()[:, None, :] + offsets[None] - low  # (N, 16, 2)
    inside = ((cand >= 0) & (cand < span)).all(-1)
    clipped = torch.minimum(cand.clamp_min(0), span - 1)
    index = torch.where(inside, table[clipped[..., 0], clipped[..., 1]], -1)  # (N, 16)
    points = (cand + low).to(flat.dtype) * GRID
    d2 = (flat[:, None, :] - points).square().sum(-1).masked_fill(index < 0, float("inf"))
    best = d2.topk(k, dim=1, largest=False, sorted=True)
    out = index.gather(1, best.indices)
    far = ~(best.values[:, -1] <= (2 * GRID) ** 2)
    if far.any():
        out[far] = _nearest_full(flat[far], c, k)
    return out


def soft_encode_sparse(
    ab: torch.Tensor, centres: torch.Tensor, *, neighbours: int = 5, sigma: float = 5.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`soft_encode` without the zeros: the ``neighbours`` nearest bins and their weights.

    Returns:
        ``(index (B, k, H, W) int64, weight (B, k, H, W))``, ``k = neighbours``, nearest bin
        first; weights in ``ab``'s dtype, summing to 1 over ``k``.

    Centres on the 10-unit lattice (the 313 and 529 bins) are searched locally (exact, ~10x
    faster than comparing with every centre); others with the matrix form of the squared
    distance (ties closer than ~1e-3 ab^2 may be broken either way). Weights use exact distances.
    """
    check_shape(centres, ["Q", "2"], "centres")
    q = centres.shape[0]
    if not 1 <= neighbours <= q:
        raise ValueError(f"neighbours must be in 1..{q}, got {neighbours}")
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    b, _, h, w = ab.shape
    flat = _flat_ab(ab)
    c = centres.to(device=ab.device, dtype=ab.dtype)
    on_lattice = bool((c.remainder(GRID) == 0).all()) and q >= neighbours
    search = _nearest_on_lattice if on_lattice else _nearest_full
    index = search(flat, c, neighbours)  # (N, k)
    near_d2 = (flat[:, None, :] - c[index]).square().sum(-1)
    weight = torch.exp(-near_d2 / (2 * sigma * sigma))
    weight = weight / weight.sum(dim=1, keepdim=True)

    def unflatten(x: torch.Tensor) -> torch.Tensor:
        return x.view(b, h, w, neighbours).permute(0, 3, 1, 2)

    return unflatten(index), unflatten(weight)


def soft_encode(
    ab: torch.Tensor, centres: torch.Tensor, *, neighbours: int = 5, sigma: float = 5.0
) -> torch.Tensor:
    """Soft-encode ab targets over the bins (Zhang et al. Sec. 2.1).

    Each pixel gets weights ``exp(-d^2 / (2 sigma^2))`` on its ``neighbours`` nearest centres
    (``d``: Euclidean distance in ab), normalized to sum 1; all other bins get 0.

    Args:
        ab: ``(B, 2, H, W)`` float, CIE a and b.
        centres: ``(Q, 2)`` bin centres (e.g. :func:`zhang_ab_bins`).
        neighbours: how many nearest bins share the mass (paper: 5).
        sigma: Gaussian width in ab units (paper: 5).

    Returns:
        ``(B, Q, H, W)`` in ``ab``'s dtype, non-negative, summing to 1 over ``Q``. (Losses can
        use :func:`soft_encode_sparse` and skip the zeros.)

    >>> centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [50.0, 50.0]])
    >>> z = soft_encode(torch.zeros(1, 2, 1, 1), centres, neighbours=1)
    >>> z.flatten().tolist()
    [1.0, 0.0, 0.0]
    """
    index, weight = soft_encode_sparse(ab, centres, neighbours=neighbours, sigma=sigma)
    b, _, h, w = ab.shape
    out = ab.new_zeros(b, centres.shape[0], h, w)
    return out.scatter_(1, index, weight)


def annealed_mean(
    logits: torch.Tensor, centres: torch.Tensor, *, temperature: float = 0.38
) -> torch.Tensor:
    """Annealed-mean decoding (Zhang et al. eq. 5): class scores -> ab.

    ``f_T(z) = exp(log z / T) / sum exp(log z / T)`` of the predicted distribution
    ``z = softmax(logits)`` equals ``softmax(logits / T)``; the result is its expectation over
    the centres. ``T = 1`` is the mean (desaturated), ``T -> 0`` the mode (patchy); the paper's
    compromise is ``T = 0.38``.

    Args:
        logits: ``(B, Q, H, W)`` unnormalized class scores (log-probabilities work too).
        centres: ``(Q, 2)`` bin centres in CIE ab.
        temperature: ``T > 0``.

    Returns:
        ``(B, 2, H, W)`` ab in ``logits``' dtype.

    >>> centres = torch.tensor([[0.0, 0.0], [10.0, 20.0]])
    >>> logits = torch.log(torch.tensor([0.5, 0.5])).view(1, 2, 1, 1)
    >>> annealed_mean(logits, centres, temperature=1.0).flatten().tolist()
    [5.0, 10.0]
    """
    check_shape(logits, ["B", "Q", "H", "W"], "logits")
    check_shape(centres, [str(logits.shape[1]), "2"], "centres")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    probs = torch.softmax(logits / temperature, dim=1)
    c = centres.to(device=logits.device, dtype=logits.dtype)
    return torch.einsum("bqhw,qc->bchw", probs, c)


def ab_histogram(
    ab: torch.Tensor, centres: torch.Tensor, *, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Count ab values per nearest bin: the empirical prior of the class rebalancing.

    Args:
        ab: ``(B, 2, H, W)`` CIE ab (e.g. of training crops).
        centres: ``(Q, 2)`` bin centres.
        weights: optional ``(B, 1, H, W)`` per-pixel weights (default 1 each).

    Returns:
        ``(Q,)`` float64 counts. Feed the sum over a data set to
        ``restora.losses.rebalance_weights(counts, lam=0.5, sigma=5.0, points=centres)``.
    """
    index = nearest_bin(ab, centres).flatten()
    w = None if weights is None else weights.reshape(-1).to(torch.float64)
    if w is not None and w.numel() != index.numel():
        raise ValueError(
            f"weights must have one value per pixel ({index.numel()}), got {w.numel()}"
        )
    return torch.bincount(
        index.cpu(), weights=None if w is None else w.cpu(), minlength=len(centres)
    ).to(torch.float64)

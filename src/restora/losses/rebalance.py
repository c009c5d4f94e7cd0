"""Class-rebalanced cross-entropy of Zhang et al. (ECCV 2016, "Colorful Image Colorization").

:func:`rebalance_weights` turns the empirical ab-bin distribution of a training set into class
weights, :func:`rebalanced_cross_entropy` weights a soft-target cross-entropy with them, and
:class:`AbClassificationLoss` is the whole training loss: target ab -> soft encoding over the
bins (:func:`restora.color.ab_bins.soft_encode`) -> rebalanced cross-entropy.
"""

from __future__ import annotations

import torch
from torch import nn

from restora.color.ab_bins import soft_encode_sparse
from restora.core.checks import check_shape


def smooth_distribution(p: torch.Tensor, points: torch.Tensor, *, sigma: float) -> torch.Tensor:
    """Gaussian-smooth a distribution ``p (Q,)`` living on ``points (Q, 2)`` (ab bin centres).

    ``p~_q ∝ sum_j exp(-|c_q - c_j|^2 / (2 sigma^2)) p_j``, renormalized to sum 1: the kernel
    density of ``p`` evaluated at the bin centres.
    """
    check_shape(points, ["Q", "2"], "points")
    if points.shape[0] != p.shape[0]:
        raise ValueError(f"{points.shape[0]} points for {p.shape[0]} classes")
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    c = points.to(device=p.device, dtype=p.dtype)
    d2 = (c[:, None, :] - c[None, :, :]).square().sum(-1)
    smoothed = torch.exp(-d2 / (2 * sigma * sigma)) @ p
    return smoothed / smoothed.sum()


def rebalance_weights(
    prior: torch.Tensor,
    *,
    lam: float = 0.5,
    sigma: float = 5.0,
    points: torch.Tensor | None = None,
) -> torch.Tensor:
    """Per-class weights ``w ∝ ((1 - lam) p~ + lam / Q)^-1`` with ``sum_q p~_q w_q = 1``.

    Args:
        prior: ``(Q,)`` non-negative class counts or frequencies (normalized here).
        lam: mixing with the uniform distribution, in (0, 1]; the paper uses 0.5.
        sigma: Gaussian smoothing width in the units of ``points`` (paper: 5 in ab space).
        points: ``(Q, 2)`` bin centres (e.g. the 313 ab centres). ``None`` means no smoothing
            (``p~ = p``, ``sigma`` unused) — for classes without a geometry.

    Returns:
        ``(Q,)`` weights in ``prior``'s dtype (float64 for integer counts).

    >>> rebalance_weights(torch.tensor([1.0, 1.0]))
    tensor([1., 1.])
    """
    check_shape(prior, ["Q"], "prior")
    if not 0 < lam <= 1:
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    p = prior if prior.is_floating_point() else prior.double()
    if (p < 0).any() or p.sum() <= 0:
        raise ValueError("prior must be non-negative with a positive sum")
    p = p / p.sum()
    if points is not None:
        p = smooth_distribution(p, points, sigma=sigma)
    q = p.shape[0]
    w = 1.0 / ((1 - lam) * p + lam / q)
    return w / (p * w).sum()


def rebalanced_cross_entropy(
    logits: torch.Tensor, soft_targets: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """``mean over pixels of  -v(Z) * sum_q Z_q log softmax(logits)_q``, ``v(Z) = w[argmax_q Z]``.

    Args:
        logits: ``(B, Q, H, W)`` unnormalized class scores.
        soft_targets: ``(B, Q, H, W)`` target distributions (e.g. soft-encoded ab, summing to 1).
        weights: ``(Q,)`` from :func:`rebalance_weights`.

    The paper sums over pixels; here the sum is divided by ``B * H * W``. The pixel weight is
    piecewise constant in the target, so gradients flow to ``logits`` only in a useful way.
    """
    check_shape(logits, ["B", "Q", "H", "W"], "logits")
    if soft_targets.shape != logits.shape:
        raise ValueError(
            f"soft_targets {tuple(soft_targets.shape)} must match logits {tuple(logits.shape)}"
        )
    check_shape(weights, [str(logits.shape[1])], "weights")
    table = weights.to(device=logits.device, dtype=logits.dtype)
    pixel_weight = table[soft_targets.argmax(dim=1)]  # (B, H, W)
    ce = -(soft_targets.to(logits.dtype) * logits.log_softmax(dim=1)).sum(dim=1)
    return (pixel_weight * ce).mean()


class AbClassificationLoss(nn.Module):
    """Zhang et al.'s colorization loss: ``forward(logits, target_ab)`` -> scalar.

    The target ab is taken at the logits' resolution (every ``s``-th pixel, ``s = round(H / h)``,
    as the authors subsample their ab targets by 4), soft-encoded over ``centres`` (``neighbours``
    nearest bins, Gaussian ``sigma``) and compared with :func:`rebalanced_cross_entropy`.

    Args:
        centres: ``(Q, 2)`` ab bin centres (CIE units), in the order of the logits' classes.
        weights: ``(Q,)`` class weights from :func:`rebalance_weights`; ``None`` = all 1 (no
            rebalancing). Both are buffers (moved by ``.to``, kept in the state dict).
        neighbours, sigma: soft encoding (paper: 5 bins, sigma 5).

    ``forward``: ``logits (B, Q, h, w)``; ``target_ab (B, 2, H, W)`` CIE a, b with
    ``H`` ~ ``s * h`` (``ceil(H / s) = h``).

    >>> centres = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    >>> loss = AbClassificationLoss(centres, neighbours=1)
    >>> round(loss(torch.zeros(1, 2, 1, 1), torch.zeros(1, 2, 1, 1)).item(), 4)  # log 2
    0.6931
    """

    centres: torch.Tensor
    weights: torch.Tensor

    def __init__(
        self,
        centres: torch.Tensor,
        weights: torch.Tensor | None = None,
        *,
        neighbours: int = 5,
        sigma: float = 5.0,
    ) -> None:
        super().__init__()
        check_shape(centres, ["Q", "2"], "centres")
        q = centres.shape[0]
        if weights is None:
            weights = torch.ones(q)
        check_shape(weights, [str(q)], "weights")
        if not 1 <= neighbours <= q:
            raise ValueError(f"neighbours must be in 1..{q}, got {neighbours}")
        if sigma <= 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        self.neighbours, self.sigma = neighbours, sigma
        self.register_buffer("centres", centres.detach().clone().float())
        self.register_buffer("weights", weights.detach().clone().float())

    def targets(
        self, target_ab: torch.Tensor, size: tuple[int, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sparse soft-encoded targets of ``target_ab (B, 2, H, W)`` at ``size = (h, w)``:
        ``(index, weight)``, both ``(B, neighbours, h, w)`` (see
        :func:`restora.color.ab_bins.soft_encode_sparse`; the nearest bin first)."""
        check_shape(target_ab, ["B", "2", "H", "W"], "target_ab")
        h, w = size
        step = max(1, round(target_ab.shape[-2] / h))
        sub = target_ab[..., ::step, ::step][..., :h, :w]
        if tuple(sub.shape[-2:]) != (h, w):
            raise ValueError(
                f"target ab {tuple(target_ab.shape[-2:])} does not cover logits {size} "
                f"(subsampled by {step})"
            )
        return soft_encode_sparse(sub, self.centres, neighbours=self.neighbours, sigma=self.sigma)

    def forward(self, logits: torch.Tensor, target_ab: torch.Tensor) -> torch.Tensor:
        """Equal to ``rebalanced_cross_entropy(logits, soft_encode(...), weights)`` (the pixel
        weight is that of the nearest bin, the soft target's mode), computed on the
        ``neighbours`` non-zero entries only."""
        check_shape(logits, ["B", str(self.centres.shape[0]), "h", "w"], "logits")
        with torch.no_grad():
            index, weight = self.targets(target_ab.to(logits.dtype), tuple(logits.shape[-2:]))
        log_p = logits.log_softmax(dim=1).gather(1, index)  # (B, k, h, w)
        ce = -(weight * log_p).sum(dim=1)
        pixel_weight = self.weights.to(logits.dtype)[index[:, 0]]
        return (pixel_weight * ce).mean()

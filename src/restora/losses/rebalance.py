"""Class-rebalanced cross-entropy of Zhang et al. (ECCV 2016, "Colorful Image Colorization")."""

from __future__ import annotations

import torch

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

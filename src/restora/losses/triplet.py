"""Triplet loss with batch-hard mining (Schroff et al. 2015, FaceNet; Hermans et al. 2017).

For each anchor in a batch of P identities x K images, the hardest positive (furthest image of
the same identity) and the hardest negative (closest image of another identity) form the
triplet: ``max(0, |f(A) - f(P)|^2 - |f(A) - f(N)|^2 + margin)``.
"""

from __future__ import annotations

import torch

__all__ = ["batch_hard_triplet_loss", "pairwise_sq_distances"]


def pairwise_sq_distances(embeddings: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances (N, N) between the rows of ``embeddings`` (N, D)."""
    sq = (embeddings**2).sum(dim=1)
    dist = sq[:, None] + sq[None, :] - 2 * embeddings @ embeddings.T
    return dist.clamp_min(0.0)


def batch_hard_triplet_loss(
    embeddings: torch.Tensor,
    labels: torch.Tensor,
    margin: float | None = 0.2,
    *,
    squared: bool = True,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Mean batch-hard triplet loss over anchors that have a positive and a negative.

    ``squared=True`` compares squared distances (FaceNet's form); ``False`` plain Euclidean
    distances, whose gradient does not vanish when all embeddings crowd together (the collapse
    squared distances invite when training from scratch). ``margin=None`` is Hermans et al.'s
    soft margin ``softplus(d_ap - d_an)``.

    ``embeddings``: (N, D) float (usually unit length); ``labels``: (N,) integer identities.
    Returns ``(loss, stats)`` with ``stats``: ``active`` (fraction of triplets violating the
    margin), ``pos`` / ``neg`` (mean hardest positive / negative squared distance).

    >>> e = torch.tensor([[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0]])
    >>> float(batch_hard_triplet_loss(e, torch.tensor([0, 0, 1, 1]))[0])
    0.0
    """
    if embeddings.ndim != 2 or labels.shape != embeddings.shape[:1]:
        raise ValueError(
            f"expected (N, D) embeddings and (N,) labels, got {tuple(embeddings.shape)}, {tuple(labels.shape)}"
        )
    dist = pairwise_sq_distances(embeddings)
    if not squared:
        dist = (dist + 1e-12).sqrt()
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    positive = same & ~eye
    negative = ~same
    usable = positive.any(dim=1) & negative.any(dim=1)
    if not usable.any():
        raise ValueError("the batch needs at least two images of one identity and another identity")
    hardest_pos = torch.where(positive, dist, torch.zeros_like(dist)).amax(dim=1)
    hardest_neg = torch.where(negative, dist, torch.full_like(dist, float("inf"))).amin(dim=1)
    gap = (hardest_pos - hardest_neg)[usable]
    losses = torch.nn.functional.softplus(gap) if margin is None else (gap + margin).clamp_min(0.0)
    stats = {
        "active": float((gap + (margin or 0.0) > 0).float().mean()),
        "pos": float(hardest_pos[usable].detach().mean()),
        "neg": float(hardest_neg[usable].detach().mean()),
    }
    return losses.mean(), stats

"""Grouping faces by identity and scoring groupings.

:func:`cluster_faces` is agglomerative clustering with average linkage on embedding distances:
two groups merge while the mean distance between their members is below ``threshold`` (the
same-person threshold of the embedder's verification ROC). :func:`purity` and
:func:`completeness` score a grouping against labels.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cluster_faces", "completeness", "pairwise_distances", "purity"]


def pairwise_distances(embeddings: np.ndarray) -> np.ndarray:
    """Euclidean distances (N, N) between the rows of ``embeddings`` (N, D)."""
    e = np.asarray(embeddings, np.float64)
    sq = (e**2).sum(1)
    return np.sqrt(np.clip(sq[:, None] + sq[None, :] - 2 * e @ e.T, 0, None))


def cluster_faces(embeddings: np.ndarray, threshold: float) -> np.ndarray:
    """Group labels (N,) 0, 1, ... numbered by first appearance; average linkage.

    >>> cluster_faces(np.array([[0.0], [0.1], [5.0]]), 1.0).tolist()
    [0, 0, 1]
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    dist = pairwise_distances(embeddings)
    sums = dist.copy()  # sum of member distances between clusters
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    owner = np.arange(n)
    np.fill_diagonal(sums, np.inf)
    while alive.sum() > 1:
        mean = sums / np.outer(sizes, sizes)
        mean[~alive, :] = np.inf
        mean[:, ~alive] = np.inf
        i, j = np.unravel_index(int(np.argmin(mean)), mean.shape)
        if mean[i, j] >= threshold:
            break
        i, j = min(i, j), max(i, j)
        sums[i, :] += sums[j, :]
        sums[:, i] += sums[:, j]
        sums[i, i] = np.inf
        sizes[i] += sizes[j]
        alive[j] = False
        owner[owner == j] = i
    _, labels = np.unique(owner, return_inverse=True)
    first = {}
    for label in labels:
        first.setdefault(int(label), len(first))
    return np.array([first[int(label)] for label in labels], dtype=np.int64)


def purity(groups: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of faces whose group's majority identity is their own (1 = no group mixes
    people)."""
    groups, truth = np.asarray(groups), np.asarray(truth)
    total = 0
    for g in np.unique(groups):
        _, counts = np.unique(truth[groups == g], return_counts=True)
        total += counts.max()
    return total / max(len(truth), 1)


def completeness(groups: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of faces in their identity's largest group (1 = each person is one group)."""
    return purity(truth, groups)

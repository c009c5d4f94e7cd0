"""Segmentation losses on logits: cross-entropy and soft Dice, binary (1 channel) or multi-class;
the Lovasz hinge (binary).

- Binary: ``logits (B, 1, H, W)``, ``target (B, 1, H, W)`` float in [0, 1] (e.g. a damage mask).
- Multi-class: ``logits (B, K, H, W)`` with ``K >= 2``, ``target (B, H, W)`` int64 class indices.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.core.checks import check_range, check_shape


def _check_target(logits: torch.Tensor, target: torch.Tensor) -> None:
    check_shape(logits, ["B", "C", "H", "W"], "logits")
    b, k, h, w = logits.shape
    if k == 1:
        if target.shape != logits.shape:
            raise ValueError(
                f"binary target must be {tuple(logits.shape)}, got {tuple(target.shape)}"
            )
        if not target.is_floating_point():
            raise TypeError(f"binary target must be float in [0, 1], got {target.dtype}")
        check_range(target, 0.0, 1.0, "target")
    else:
        if target.shape != (b, h, w):
            raise ValueError(
                f"multi-class target must be (B, H, W) = {(b, h, w)} class indices, "
                f"got {tuple(target.shape)}"
            )
        if target.dtype != torch.long:
            raise TypeError(f"multi-class target must be int64 class indices, got {target.dtype}")


def cross_entropy(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    class_weights: torch.Tensor | None = None,
    ignore_index: int = -100,
) -> torch.Tensor:
    """Mean cross-entropy. Binary: BCE with logits, ``class_weights`` is then the ``(1,)``
    positive-class weight (``pos_weight``). Multi-class: softmax CE, ``class_weights`` ``(K,)``,
    pixels equal to ``ignore_index`` skipped (weighted mean as in ``torch``).

    >>> float(cross_entropy(torch.zeros(1, 1, 1, 1), torch.ones(1, 1, 1, 1)))  # -log(0.5)
    0.6931471824645996
    """
    _check_target(logits, target)
    if logits.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(logits, target, pos_weight=class_weights)
    return F.cross_entropy(logits, target, weight=class_weights, ignore_index=ignore_index)


def dice_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1.0) -> torch.Tensor:
    """Soft Dice loss ``1 - mean_k (2 sum p t + smooth) / (sum p + sum t + smooth)``.

    Probabilities are ``sigmoid(logits)`` (binary) or ``softmax`` over classes with one-hot
    targets (multi-class). Sums run over the batch and all pixels per class (smp's default); the
    mean is over classes (the single foreground class when binary). ``smooth > 0`` keeps empty
    classes finite (loss 0 for an empty class predicted empty).
    """
    _check_target(logits, target)
    if smooth < 0:
        raise ValueError(f"smooth must be >= 0, got {smooth}")
    k = logits.shape[1]
    if k == 1:
        prob, onehot = torch.sigmoid(logits), target.to(logits.dtype)
    else:
        prob = logits.softmax(dim=1)
        onehot = F.one_hot(target, k).permute(0, 3, 1, 2).to(logits.dtype)
    dims = (0, 2, 3)
    inter = (prob * onehot).sum(dims)
    denom = prob.sum(dims) + onehot.sum(dims)
    dice = (2 * inter + smooth) / (denom + smooth).clamp_min(torch.finfo(logits.dtype).eps)
    return 1 - dice.mean()


def _lovasz_grad(sorted_labels: torch.Tensor) -> torch.Tensor:
    """Gradient of the Lovasz extension of the Jaccard loss for labels ``(N,)`` in error order."""
    positives = sorted_labels.sum()
    intersection = positives - sorted_labels.cumsum(0)
    union = positives + (1 - sorted_labels).cumsum(0)
    jaccard = 1 - intersection / union
    return torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])


def lovasz_hinge(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary Lovasz hinge (Berman et al. 2018), a convex surrogate of ``1 - IoU`` of the
    foreground, computed per image and averaged over the batch (so it follows a per-image mean
    IoU). ``logits (B, 1, H, W)``; ``target (B, 1, H, W)`` in [0, 1], foreground where >= 0.5.

    With logits of +-1 it equals ``2 * (1 - IoU)`` of the thresholded prediction:

    >>> t = torch.tensor([1.0, 1.0, 0.0, 0.0]).view(1, 1, 2, 2)
    >>> float(lovasz_hinge(torch.tensor([1.0, -1.0, -1.0, -1.0]).view(1, 1, 2, 2), t))
    1.0
    """
    _check_target(logits, target)
    if logits.shape[1] != 1:
        raise ValueError(
            f"lovasz_hinge is binary: logits must have 1 channel, got {logits.shape[1]}"
        )
    losses = []
    for image_logits, image_target in zip(logits.flatten(1), target.flatten(1), strict=True):
        labels = (image_target >= 0.5).to(logits.dtype)
        errors = 1 - image_logits * (2 * labels - 1)
        errors_sorted, order = torch.sort(errors, descending=True)
        losses.append(torch.dot(F.relu(errors_sorted), _lovasz_grad(labels[order])))
    return torch.stack(losses).mean()

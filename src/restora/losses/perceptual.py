"""Perceptual (feature L1) and Gram-matrix style losses over feature dicts, plus Module wrappers
that own a :class:`~restora.losses.vgg.VGGFeatures` extractor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

from restora.core.checks import check_shape
from restora.losses.vgg import VGGFeatures

Distance = Literal["l1", "mse"]


def _distance(a: torch.Tensor, b: torch.Tensor, distance: Distance) -> torch.Tensor:
    if distance == "l1":
        return F.l1_loss(a, b)
    if distance == "mse":
        return F.mse_loss(a, b)
    raise ValueError(f"distance must be 'l1' or 'mse', got {distance!r}")


def _layer_weights(
    features: Mapping[str, torch.Tensor], layer_weights: Mapping[str, float] | None
) -> dict[str, float]:
    if layer_weights is None:
        return dict.fromkeys(features, 1.0)
    unknown = [name for name in layer_weights if name not in features]
    if unknown:
        raise KeyError(f"layer_weights name layers {unknown} not in features {list(features)}")
    return dict(layer_weights)


def _check_pair(pred: Mapping[str, torch.Tensor], target: Mapping[str, torch.Tensor]) -> None:
    if set(pred) != set(target):
        raise KeyError(f"pred layers {list(pred)} differ from target layers {list(target)}")
    for name in pred:
        if pred[name].shape != target[name].shape:
            raise ValueError(
                f"layer {name!r}: pred {tuple(pred[name].shape)} != target "
                f"{tuple(target[name].shape)}"
            )


def perceptual_loss(
    pred_features: Mapping[str, torch.Tensor],
    target_features: Mapping[str, torch.Tensor],
    *,
    layer_weights: Mapping[str, float] | None = None,
    distance: Distance = "l1",
) -> torch.Tensor:
    """``sum_l w_l * mean |phi_l(pred) - phi_l(target)|`` over feature maps ``(B, C_l, H_l, W_l)``.

    The per-layer mean is Liu et al.'s ``||.||_1 / N_phi`` averaged over the batch. ``layer_weights``
    defaults to 1 for every layer; layers missing from it are skipped. ``distance="mse"`` gives
    Johnson et al.'s squared feature distance.
    """
    _check_pair(pred_features, target_features)
    weights = _layer_weights(pred_features, layer_weights)
    terms = [
        w * _distance(pred_features[name], target_features[name], distance)
        for name, w in weights.items()
    ]
    if not terms:
        raise ValueError("perceptual_loss needs at least one layer")
    return torch.stack(terms).sum()


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Gram matrix ``F F^T / (C * H * W)`` of ``(B, C, H, W)`` features -> ``(B, C, C)``.

    >>> gram_matrix(torch.ones(1, 2, 2, 2))
    tensor([[[0.5000, 0.5000],
             [0.5000, 0.5000]]])
    """
    check_shape(features, ["B", "C", "H", "W"], "features")
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def style_loss(
    pred_features: Mapping[str, torch.Tensor],
    target_features: Mapping[str, torch.Tensor],
    *,
    layer_weights: Mapping[str, float] | None = None,
    distance: Distance = "l1",
) -> torch.Tensor:
    """``sum_l w_l * mean |G(phi_l(pred)) - G(phi_l(target))|`` with :func:`gram_matrix`.

    With ``distance="l1"`` the mean over the ``C_l x C_l`` entries is Liu et al.'s
    ``1 / C_l^2 ||.||_1`` (batch-averaged); ``"mse"`` is the Gatys/Johnson squared form.
    """
    _check_pair(pred_features, target_features)
    weights = _layer_weights(pred_features, layer_weights)
    terms = [
        w
        * _distance(gram_matrix(pred_features[name]), gram_matrix(target_features[name]), distance)
        for name, w in weights.items()
    ]
    if not terms:
        raise ValueError("style_loss needs at least one layer")
    return torch.stack(terms).sum()


class PerceptualLoss(nn.Module):
    """``forward(pred, target)`` = :func:`perceptual_loss` of ``extractor`` features.

    ``pred``/``target``: ``(B, 3, H, W)`` in [0, 1]. The extractor is a (frozen) submodule, so
    ``.to(device)`` moves it.
    """

    def __init__(
        self,
        extractor: VGGFeatures,
        *,
        layer_weights: Mapping[str, float] | None = None,
        distance: Distance = "l1",
    ) -> None:
        super().__init__()
        self.extractor = extractor
        self.layer_weights = None if layer_weights is None else dict(layer_weights)
        self.distance: Distance = distance

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return perceptual_loss(
            self.extractor(pred),
            self.extractor(target),
            layer_weights=self.layer_weights,
            distance=self.distance,
        )


class StyleLoss(PerceptualLoss):
    """``forward(pred, target)`` = :func:`style_loss` of ``extractor`` features."""

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return style_loss(
            self.extractor(pred),
            self.extractor(target),
            layer_weights=self.layer_weights,
            distance=self.distance,
        )


class VGGLoss(nn.Module):
    """Perceptual and style losses from one feature pass per image.

    ``forward(pred, target) -> (perceptual_weight * perceptual + style_weight * style,
    {"perceptual": ..., "style": ...})`` (the dict holds the unweighted terms). Liu et al. use
    weights 0.05 and 120 and apply it to both the raw output and the composite.
    """

    def __init__(
        self,
        extractor: VGGFeatures,
        *,
        perceptual_weight: float = 1.0,
        style_weight: float = 1.0,
        layer_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__()
        self.extractor = extractor
        self.perceptual_weight = perceptual_weight
        self.style_weight = style_weight
        self.layer_weights = None if layer_weights is None else dict(layer_weights)

    def forward(
        self, pred: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        pred_f, target_f = self.extractor(pred), self.extractor(target)
        perc = perceptual_loss(pred_f, target_f, layer_weights=self.layer_weights)
        style = style_loss(pred_f, target_f, layer_weights=self.layer_weights)
        total = self.perceptual_weight * perc + self.style_weight * style
        return total, {"perceptual": perc, "style": style}

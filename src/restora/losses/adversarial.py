"""Adversarial losses (vanilla / LSGAN / hinge) and discriminator feature matching."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

GANMode = Literal["vanilla", "lsgan", "hinge"]
GAN_MODES = ("vanilla", "lsgan", "hinge")


def _single_gan_loss(
    pred: torch.Tensor, target_is_real: bool, mode: GANMode, for_discriminator: bool
) -> torch.Tensor:
    if mode == "vanilla":
        target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
        return F.binary_cross_entropy_with_logits(pred, target)
    if mode == "lsgan":
        return (pred - (1.0 if target_is_real else 0.0)).square().mean()
    if for_discriminator:
        return F.relu(1.0 - pred).mean() if target_is_real else F.relu(1.0 + pred).mean()
    if not target_is_real:
        raise ValueError("hinge generator loss is -mean(pred); call it with target_is_real=True")
    return -pred.mean()


def gan_loss(
    pred: torch.Tensor | Sequence[torch.Tensor],
    target_is_real: bool,
    *,
    mode: GANMode = "vanilla",
    for_discriminator: bool = True,
) -> torch.Tensor:
    """Adversarial loss of discriminator outputs ``pred`` (raw logits/scores, any shape, e.g.
    PatchGAN ``(B, 1, h, w)``).

    - ``"vanilla"``: binary cross-entropy with logits against 1 (real) / 0 (fake); the generator
      calls it with ``target_is_real=True`` (non-saturating loss).
    - ``"lsgan"``: mean squared error against 1 / 0.
    - ``"hinge"``: discriminator ``mean(relu(1 - pred))`` for real, ``mean(relu(1 + pred))`` for
      fake; generator (``for_discriminator=False``, ``target_is_real=True``) ``-mean(pred)``.

    ``for_discriminator`` only matters for hinge. A sequence of outputs (multi-scale
    discriminators) gives the mean of the per-output losses.

    >>> float(gan_loss(torch.tensor([2.0, -0.5]), True, mode="hinge"))
    0.75
    """
    if mode not in GAN_MODES:
        raise ValueError(f"mode must be one of {GAN_MODES}, got {mode!r}")
    if isinstance(pred, torch.Tensor):
        return _single_gan_loss(pred, target_is_real, mode, for_discriminator)
    losses = [_single_gan_loss(p, target_is_real, mode, for_discriminator) for p in pred]
    if not losses:
        raise ValueError("gan_loss got an empty sequence of discriminator outputs")
    return torch.stack(losses).mean()


def feature_matching_loss(
    fake_features: Sequence[torch.Tensor],
    real_features: Sequence[torch.Tensor],
    *,
    layer_weights: Sequence[float] | None = None,
) -> torch.Tensor:
    """pix2pixHD feature matching: ``sum_l w_l * mean |D_l(fake) - D_l(real).detach()|``.

    ``fake_features`` / ``real_features``: intermediate discriminator outputs, same length and
    shapes. ``layer_weights`` defaults to ``1 / L`` for each of the ``L`` layers (the mean over
    layers). The real features are detached: only the generator learns from this loss.
    """
    if len(fake_features) != len(real_features):
        raise ValueError(
            f"{len(fake_features)} fake feature maps but {len(real_features)} real ones"
        )
    if not fake_features:
        raise ValueError("feature_matching_loss needs at least one layer")
    n = len(fake_features)
    weights = [1.0 / n] * n if layer_weights is None else list(layer_weights)
    if len(weights) != n:
        raise ValueError(f"{len(weights)} layer_weights for {n} layers")
    terms = []
    for w, fake, real in zip(weights, fake_features, real_features, strict=True):
        if fake.shape != real.shape:
            raise ValueError(f"feature shapes differ: {tuple(fake.shape)} vs {tuple(real.shape)}")
        terms.append(w * F.l1_loss(fake, real.detach()))
    return torch.stack(terms).sum()


class GANLoss(nn.Module):
    """Module form of :func:`gan_loss`: ``GANLoss(mode="hinge")(pred, True,
    for_discriminator=False)``."""

    def __init__(self, *, mode: GANMode = "vanilla") -> None:
        super().__init__()
        if mode not in GAN_MODES:
            raise ValueError(f"mode must be one of {GAN_MODES}, got {mode!r}")
        self.mode: GANMode = mode

    def forward(
        self,
        pred: torch.Tensor | Sequence[torch.Tensor],
        target_is_real: bool,
        *,
        for_discriminator: bool = True,
    ) -> torch.Tensor:
        return gan_loss(pred, target_is_real, mode=self.mode, for_discriminator=for_discriminator)

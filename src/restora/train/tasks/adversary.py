"""`Adversary`: a discriminator, its optimizer and its training step, for tasks with an
adversarial loss term (the GAN task, adversarial inpainting)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from restora.losses import feature_matching_loss, gan_loss
from restora.train.config import TrainConfig
from restora.train.distributed import DistInfo, wrap_model
from restora.train.optim import build_optimizer, clip_gradients
from restora.train.tasks.base import build_network


class Adversary:
    """Discriminator ``D`` judging ``image`` (or ``cat(condition, image)`` when conditional).

    The discriminator must accept ``return_features=True`` (``(logits, features)``, as
    :class:`~restora.models.discriminators.patchgan.PatchGAN`) when feature matching is used.
    ``in_channels`` is set from ``image_channels`` (+ ``condition_channels`` when conditional)
    unless the config's ``discriminator.options`` gives it.
    """

    def __init__(
        self,
        config: TrainConfig,
        *,
        image_channels: int,
        condition_channels: int,
        device: torch.device,
        dist: DistInfo,
    ) -> None:
        spec = config.discriminator
        self.conditional = spec.conditional
        channels = image_channels + (condition_channels if spec.conditional else 0)
        options = {"in_channels": channels, **spec.options}
        self.model = build_network(spec.name, options).to(device)
        self.train_model = wrap_model(self.model, dist, device)
        self.optimizer = build_optimizer(
            self.model.parameters(), config.optim, lr=config.optim.d_lr
        )
        self.mode = config.loss.gan_mode
        self.grad_clip = config.optim.grad_clip

    def judge_input(self, image: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """What D sees: ``image`` or ``cat(condition resized to image, image)``."""
        if not self.conditional:
            return image
        if condition.shape[-2:] != image.shape[-2:]:
            condition = F.interpolate(
                condition, size=image.shape[-2:], mode="bilinear", align_corners=False
            )
        return torch.cat([condition, image], dim=1)

    def step(
        self, fake: torch.Tensor, real: torch.Tensor, condition: torch.Tensor
    ) -> dict[str, float]:
        """One discriminator update on real and (detached) fake images, judged in one forward
        pass (one DDP call per step)."""
        batch = real.shape[0]
        judged = torch.cat(
            [self.judge_input(real, condition), self.judge_input(fake.detach(), condition)]
        )
        logits = self.train_model(judged)
        real_logits, fake_logits = logits[:batch], logits[batch:]
        loss = 0.5 * (
            gan_loss(real_logits, True, mode=self.mode)
            + gan_loss(fake_logits, False, mode=self.mode)
        )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_gradients(self.model.parameters(), self.grad_clip)
        self.optimizer.step()
        return {
            "d_loss": loss.item(),
            "d_real": real_logits.detach().mean().item(),
            "d_fake": fake_logits.detach().mean().item(),
        }

    def generator_terms(
        self,
        fake: torch.Tensor,
        real: torch.Tensor,
        condition: torch.Tensor,
        *,
        feature_matching: bool,
    ) -> dict[str, torch.Tensor]:
        """``{"adversarial": ..., "feature_matching": ...}`` for the generator's loss.

        D's parameters are frozen meanwhile (the unwrapped module is used, so DDP sees only the
        discriminator step); gradients reach ``fake``.
        """
        self.model.requires_grad_(False)
        try:
            out: dict[str, torch.Tensor] = {}
            judged = self.judge_input(fake, condition)
            if feature_matching:
                logits, fake_features = self.model(judged, return_features=True)
                with torch.no_grad():
                    _, real_features = self.model(
                        self.judge_input(real, condition), return_features=True
                    )
                out["feature_matching"] = feature_matching_loss(fake_features, real_features)
            else:
                logits = self.model(judged)
            out["adversarial"] = gan_loss(logits, True, mode=self.mode, for_discriminator=False)
        finally:
            self.model.requires_grad_(True)
        return out


def discriminator_network(adversary: Adversary | None) -> dict[str, nn.Module]:
    return {} if adversary is None else {"discriminator": adversary.model}

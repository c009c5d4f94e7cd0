"""Supervised image-to-image tasks (sr, denoise, colorize, edges2image) and the conditional GAN
task built on them."""

from __future__ import annotations

import torch
from torch import nn

from restora.color.lab import lab_to_rgb
from restora.metrics import psnr, ssim
from restora.train.config import TrainConfig
from restora.train.distributed import DistInfo
from restora.train.tasks.adversary import Adversary
from restora.train.tasks.base import Batch, Task, precomputed
from restora.train.tasks.terms import image_terms


class ImageToImageTask(Task):
    """``pred = model(input)``; loss = weighted terms of ``(pred, target)``.

    Validation: PSNR and SSIM of the clamped prediction. When the target is larger than the
    input (super-resolution, scale ``s``) they follow the SR protocol: Y channel of BT.601,
    ``s`` pixels cropped from each border. Colorization to ``ab`` (2 target channels and
    ``meta["ab_scale"]``) is measured in RGB, rebuilt from the input lightness ``L / 100``.
    """

    kind = "image2image"
    term_factories = image_terms()
    metric_names = ("psnr", "ssim")

    def step(self, batch: Batch) -> dict[str, float]:
        self.train_model.train()
        pred = self.train_model(batch.input)
        total, logs = self.loss(pred=pred, target=batch.target)
        self.optimize(total, self.optimizer, self.model)
        return {"loss": total.item(), **{k: float(v) for k, v in logs.items()}}

    @classmethod
    def predict(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        return as_rgb(cls.output(model, batch), batch).clamp(0, 1)

    @classmethod
    def measure(cls, pred: torch.Tensor, batch: Batch) -> dict[str, torch.Tensor]:
        target = as_rgb(batch.target, batch).clamp(0, 1)
        scale = batch.target.shape[-1] // batch.input.shape[-1]
        options = {"crop_border": scale, "y_channel": True} if scale > 1 else {}
        return {"psnr": psnr(pred, target, **options), "ssim": ssim(pred, target, **options)}


def as_rgb(x: torch.Tensor, batch: Batch) -> torch.Tensor:
    """``x`` itself, or for ``ab`` colorization (2 channels, ``meta["ab_scale"]``) the RGB image
    of lightness ``100 * input`` and chroma ``ab_scale * x``."""
    scales = batch.meta.get("ab_scale") if isinstance(batch.meta, dict) else None
    if x.shape[1] != 2 or not scales:
        return x
    scale = torch.tensor(scales, dtype=x.dtype, device=x.device).view(-1, 1, 1, 1)
    lightness = 100.0 * batch.input[:, :1]
    return lab_to_rgb(torch.cat([lightness, x * scale], dim=1))


class GANTask(ImageToImageTask):
    """Conditional GAN (pix2pix): a generator trained with the image terms plus ``adversarial``
    (and optionally ``feature_matching``) against a discriminator updated in the same step.

    Step: ``fake = G(input)``; one discriminator update on ``(target, fake)``; one generator
    update on ``sum_k w_k term_k`` where the adversarial term is ``D(fake)`` judged as real.
    """

    kind = "gan"
    term_factories = {
        **image_terms(),
        "adversarial": precomputed("adversarial"),
        "feature_matching": precomputed("feature_matching"),
    }

    def __init__(
        self, config: TrainConfig, *, device: torch.device, dist: DistInfo, example: Batch
    ) -> None:
        super().__init__(config, device=device, dist=dist, example=example)
        self.adversary = Adversary(
            config,
            image_channels=example.target.shape[1],
            condition_channels=example.input.shape[1],
            device=device,
            dist=dist,
        )

    def networks(self) -> dict[str, nn.Module]:
        return {"model": self.model, "discriminator": self.adversary.model}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"model": self.optimizer, "discriminator": self.adversary.optimizer}

    def step(self, batch: Batch) -> dict[str, float]:
        self.train_model.train()
        self.adversary.model.train()
        fake = self.train_model(batch.input)
        d_logs = self.adversary.step(fake, batch.target, batch.input)
        extra = self.adversary.generator_terms(
            fake, batch.target, batch.input, feature_matching=self.weight("feature_matching") > 0
        )
        total, logs = self.loss(pred=fake, target=batch.target, **extra)
        self.optimize(total, self.optimizer, self.model)
        return {"loss": total.item(), **{k: float(v) for k, v in logs.items()}, **d_logs}

"""Inpainting task: ``pred = model(input, mask)`` with mask 1 = hole, Liu et al.'s losses, and
an optional discriminator when ``loss.terms.adversarial`` > 0."""

from __future__ import annotations

import inspect
from functools import partial

import torch
from torch import nn

from restora.core.errors import ConfigError
from restora.losses import LossTerm, dilate_mask, hole_valid_l1
from restora.metrics import psnr, ssim
from restora.train.config import TrainConfig
from restora.train.distributed import DistInfo
from restora.train.tasks.adversary import Adversary
from restora.train.tasks.base import Batch, Task, precomputed
from restora.train.tasks.terms import inpaint_terms


def composite(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Known pixels from ``target``, holes (``mask`` = 1) from ``pred``; all ``(B, C, H, W)``."""
    return mask * pred + (1 - mask) * target


def _returns_coarse(model: nn.Module) -> bool:
    return "return_coarse" in inspect.signature(model.forward).parameters


class InpaintTask(Task):
    """Terms: ``hole_valid`` (alpha * L1 hole + L1 valid), ``l1``, ``perceptual`` and ``style``
    (raw output and composite), ``tv`` (composite, dilated hole), ``adversarial`` and
    ``feature_matching`` (discriminator on the composite, conditioned on the masked input),
    ``coarse`` (hole/valid L1 of a coarse-to-fine model's coarse output, as DeepFill v2; needs
    a model whose ``forward`` takes ``return_coarse``, e.g. ``gated_net.coarse_to_fine``).

    Validation: PSNR and SSIM of the composite.
    """

    kind = "inpaint"
    term_factories = {
        **inpaint_terms(),
        "adversarial": precomputed("adversarial"),
        "feature_matching": precomputed("feature_matching"),
        "coarse": lambda task: LossTerm(
            fn=partial(hole_valid_l1, alpha=task.config.loss.hole_alpha),
            inputs={"pred": "coarse", "mask_hole": "mask"},
        ),
    }
    metric_names = ("psnr", "ssim")

    def __init__(
        self, config: TrainConfig, *, device: torch.device, dist: DistInfo, example: Batch
    ) -> None:
        super().__init__(config, device=device, dist=dist, example=example)
        if example.mask is None:
            raise ValueError(
                f"preset {config.task.preset!r} gives no masks: not an inpainting task"
            )
        if self.weight("coarse") > 0 and not _returns_coarse(self.model):
            raise ConfigError(
                f"loss.terms.coarse needs a coarse-to-fine model (forward(..., return_coarse)), "
                f"not {config.model.name!r}: use e.g. gated_net.coarse_to_fine"
            )
        self.adversary = None
        if self.weight("adversarial") > 0 or self.weight("feature_matching") > 0:
            self.adversary = Adversary(
                config,
                image_channels=example.target.shape[1],
                condition_channels=example.input.shape[1] + 1,
                device=device,
                dist=dist,
            )

    def networks(self) -> dict[str, nn.Module]:
        extra = {} if self.adversary is None else {"discriminator": self.adversary.model}
        return {"model": self.model, **extra}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        extra = {} if self.adversary is None else {"discriminator": self.adversary.optimizer}
        return {"model": self.optimizer, **extra}

    def step(self, batch: Batch) -> dict[str, float]:
        self.train_model.train()
        mask = batch.mask
        inputs: dict[str, torch.Tensor] = {}
        if self.weight("coarse") > 0:
            pred, inputs["coarse"] = self.train_model(batch.input, mask, return_coarse=True)
        else:
            pred = self.output(self.train_model, batch)
        comp = composite(pred, batch.target, mask)
        inputs.update(pred=pred, target=batch.target, mask=mask, composite=comp)
        if self.weight("tv") > 0:
            inputs["tv_region"] = dilate_mask(mask)
        d_logs: dict[str, float] = {}
        if self.adversary is not None:
            self.adversary.model.train()
            condition = torch.cat([batch.input, mask], dim=1)
            d_logs = self.adversary.step(comp, batch.target, condition)
            inputs.update(
                self.adversary.generator_terms(
                    comp,
                    batch.target,
                    condition,
                    feature_matching=self.weight("feature_matching") > 0,
                )
            )
        total, logs = self.loss(**inputs)
        self.optimize(total, self.optimizer, self.model)
        return {"loss": total.item(), **{k: float(v) for k, v in logs.items()}, **d_logs}

    @classmethod
    def output(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        return model(batch.input, batch.mask)

    @classmethod
    def predict(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        return composite(cls.output(model, batch).clamp(0, 1), batch.target, batch.mask)

    @classmethod
    def measure(cls, pred: torch.Tensor, batch: Batch) -> dict[str, torch.Tensor]:
        return {"psnr": psnr(pred, batch.target), "ssim": ssim(pred, batch.target)}

"""Zhang-style colorization: CIE L (and optional user hints) in, ab out.

Networks: ``zhang.eccv16`` (classification over the 313 ab bins, ECCV 2016) and
``zhang.siggraph17`` (user hints; a regression head and a classification head, SIGGRAPH 2017),
at any ``width``. Data: the ``colorize`` preset with ``input_space = "L"``, ``target_space =
"ab"`` and, for hint models, ``hints = true`` (input = L / 100, hint ab / ``ab_scale``, mask).

Loss terms:

- ``ab_classification``: the ECCV16 loss - the target ab, taken every 4th pixel, soft-encoded
  over the head's bins (5 nearest, Gaussian sigma 5) and compared with a cross-entropy weighted
  per pixel by the class-rebalancing weight of its bin, ``w ∝ ((1 - λ) p~ + λ / Q)^-1`` with
  ``p~`` the training set's ab distribution smoothed by a Gaussian (``loss.colorize``; the
  distribution is counted from the training images when the task is built and recorded in
  ``<out_dir>/ab_prior.json``);
- ``ab_regression``: smooth L1 between predicted and true ab / ``ab_scale`` (the SIGGRAPH17
  regression loss; linear beyond ``loss.colorize.huber_delta`` ab units).

Validation decodes with the model's own ``predict_ab`` (annealed mean at the model's
``temperature`` for classification models, the regression output otherwise) and measures PSNR,
SSIM and the ab AuC (Zhang et al.; 1 = every ab exact) on the RGB image rebuilt from L and ab.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch
from torch import nn

from restora.color.lab import lab_to_rgb
from restora.core.errors import ConfigError
from restora.data.ab_prior import ab_prior, load_ab_prior
from restora.data.tasks import ColorizeTask as ColorizeData
from restora.data.tasks import build_task
from restora.losses import AbClassificationLoss, LossTerm, rebalance_weights, smooth_l1
from restora.metrics import ab_auc, psnr, ssim
from restora.models.colorization import ZhangECCV16, ZhangSIGGRAPH17
from restora.train.config import TrainConfig, resolve_options, resolve_path
from restora.train.data_setup import split_images
from restora.train.distributed import DistInfo
from restora.train.tasks.base import Batch, Task

log = logging.getLogger("restora.train")

COLORIZE_TERMS = ("ab_classification", "ab_regression")
PRIOR_FILE = "ab_prior.json"


@dataclass
class LabBatch:
    """A colorize batch in CIE units: ``lightness (B, 1, H, W)`` in [0, 100], ``hints`` and
    ``hint_mask`` (``(B, 2, H, W)`` ab, ``(B, 1, H, W)``) or None, ``target_ab (B, 2, H, W)``
    and ``scale (B, 1, 1, 1)`` (the preset's ``ab_scale``)."""

    lightness: torch.Tensor
    hints: torch.Tensor | None
    hint_mask: torch.Tensor | None
    target_ab: torch.Tensor
    scale: torch.Tensor

    def hint_kwargs(self) -> dict[str, torch.Tensor]:
        if self.hints is None or self.hint_mask is None:
            return {}
        return {"hints": self.hints, "hint_mask": self.hint_mask}


def lab_batch(batch: Batch) -> LabBatch:
    """Split a batch of the ``colorize`` preset (input L / 100 [+ hints / scale + mask],
    target ab / scale) into CIE units."""
    scales = batch.meta.get("ab_scale") if isinstance(batch.meta, dict) else None
    if not scales or batch.target.shape[1] != 2:
        raise ValueError("colorize batches need ab targets and meta['ab_scale'] (preset colorize)")
    x = batch.input
    scale = torch.tensor(scales, dtype=x.dtype, device=x.device).view(-1, 1, 1, 1)
    if x.shape[1] not in (1, 4):
        raise ValueError(f"colorize input must have 1 or 4 channels, got {x.shape[1]}")
    hints = x[:, 1:3] * scale if x.shape[1] == 4 else None
    mask = x[:, 3:4] if x.shape[1] == 4 else None
    return LabBatch(100.0 * x[:, :1], hints, mask, batch.target * scale, scale)


def predict_ab(model: nn.Module, lab: LabBatch) -> torch.Tensor:
    """``model.predict_ab`` on the batch's lightness (and hints): ab ``(B, 2, H, W)``."""
    return model.predict_ab(lab.lightness, **lab.hint_kwargs())  # type: ignore[operator]


def rgb_of(lab: LabBatch, ab: torch.Tensor) -> torch.Tensor:
    return lab_to_rgb(torch.cat([lab.lightness, ab], dim=1)).clamp(0, 1)


def _classification_term(task: Task) -> LossTerm:
    assert isinstance(task, ColorizationTask)
    return LossTerm(fn=task.classification_loss())


def _regression_term(task: Task) -> LossTerm:
    assert isinstance(task, ColorizationTask)
    beta = task.config.loss.colorize.huber_delta / task.data.ab_scale
    return LossTerm(fn=partial(smooth_l1, beta=beta))


class ColorizationTask(Task):
    """Training step of Zhang et al.'s colorizers; see the module docstring.

    Attributes:
        data: the ``colorize`` data preset of the run.
        prior_record: what ``ab_classification`` counted (``None`` without rebalancing from the
            training images); written by the training loop to ``ab_prior.json``.
    """

    kind = "colorize"
    term_factories = {"ab_classification": _classification_term, "ab_regression": _regression_term}
    metric_names = ("psnr", "ssim", "ab_auc")

    def __init__(
        self, config: TrainConfig, *, device: torch.device, dist: DistInfo, example: Batch
    ) -> None:
        data = build_task(config.task.preset, resolve_options(config.task.options))
        if not isinstance(data, ColorizeData):
            raise ConfigError(f"colorize tasks need task.preset = 'colorize', got {data.name!r}")
        if data.input_space != "L" or data.target_space != "ab":
            raise ConfigError(
                "colorize tasks need task.options input_space = 'L' and target_space = 'ab'"
            )
        self.data = data
        self.prior_record: dict[str, Any] | None = None
        super().__init__(config, device=device, dist=dist, example=example)

    # -- building ----------------------------------------------------------------------------
    def build_loss(self) -> Any:
        self._check_model()
        return super().build_loss()

    def _check_model(self) -> None:
        model, name = self.model, self.config.model.name
        classify = self.weight("ab_classification") > 0
        regress = self.weight("ab_regression") > 0
        if not isinstance(model, (ZhangECCV16, ZhangSIGGRAPH17)):
            raise ConfigError(
                f"model {name!r} is not a Zhang colorizer (zhang.eccv16 / zhang.siggraph17): "
                "train it with task.kind = 'image2image'"
            )
        if self.data.hints and not model.accepts_hints:
            raise ConfigError(f"task.options.hints = true, but model {name!r} takes no hints")
        if isinstance(model, ZhangECCV16):
            if regress:
                raise ConfigError(f"model {name!r} has no regression output: ab_regression")
            return
        if classify:
            try:
                model.bin_centres()
            except ValueError as exc:
                raise ConfigError(f"ab_classification: {exc} (model.options.num_classes)") from None
        needed = {"regression": "ab_regression", "annealed_mean": "ab_classification"}
        if self.weight(needed[model.decode]) <= 0:
            raise ConfigError(
                f"model.options.decode = {model.decode!r} predicts with a head that "
                f"loss.terms.{needed[model.decode]} does not train"
            )

    def class_centres(self) -> torch.Tensor:
        """The ``(Q, 2)`` ab centres of the model's classes (CIE units, float64, CPU)."""
        return self.model.bin_centres().detach().double().cpu().round()  # type: ignore[operator]

    def class_weights(self, centres: torch.Tensor) -> torch.Tensor | None:
        """Rebalancing weights ``(Q,)`` from the configured prior (None for ``"uniform"``)."""
        options = self.config.loss.colorize
        if options.prior == "uniform":
            return None
        if options.prior == "auto":
            train, _ = split_images(self.config)
            prior = ab_prior(
                train.paths(), centres, size=options.prior_size, max_images=options.prior_images
            )
            counts = prior.counts
            self.prior_record = {"source": "training images", **prior.to_dict()}
            log.info("ab prior: %d training images at %d px", prior.images, prior.size)
        else:
            try:
                counts = load_ab_prior(resolve_path(options.prior))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"loss.colorize.prior: {exc}") from None
            self.prior_record = {"source": options.prior, "counts": counts.tolist()}
        if counts.shape != (len(centres),):
            raise ConfigError(
                f"loss.colorize.prior has {counts.numel()} bins, the model {len(centres)}"
            )
        weights = rebalance_weights(
            counts.double(),
            lam=options.rebalance_lambda,
            sigma=options.rebalance_sigma,
            points=centres,
        )
        self.prior_record.update(
            {
                "lambda": options.rebalance_lambda,
                "sigma": options.rebalance_sigma,
                "weights": weights.tolist(),
            }
        )
        return weights

    def classification_loss(self) -> AbClassificationLoss:
        options = self.config.loss.colorize
        centres = self.class_centres()
        return AbClassificationLoss(
            centres,
            self.class_weights(centres),
            neighbours=options.soft_neighbours,
            sigma=options.soft_sigma,
        )

    def run_files(self) -> dict[str, str]:
        if self.prior_record is None:
            return {}
        return {PRIOR_FILE: json.dumps(self.prior_record) + "\n"}

    # -- training ----------------------------------------------------------------------------
    def forward(
        self, lab: LabBatch, *, logits: bool, regression: bool
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """``(ab, logits)`` of the training network (either may be None when not asked for).

        Under DDP every output is computed and touched with weight 0, so that each parameter
        receives a gradient on every rank.
        """
        if isinstance(self.model, ZhangECCV16):
            return None, self.train_model(lab.lightness)
        both = logits or self.dist.distributed
        out = self.train_model(lab.lightness, lab.hints, lab.hint_mask, return_logits=both)
        ab, class_logits = out if both else (out, None)
        if self.dist.distributed:
            unused = [t for t, used in ((ab, regression), (class_logits, logits)) if not used]
            if unused:
                touch = sum(0.0 * t.sum() for t in unused)  # type: ignore[union-attr]
                if logits:
                    class_logits = class_logits + touch
                else:
                    ab = ab + touch
        return ab, class_logits

    def step(self, batch: Batch) -> dict[str, float]:
        self.train_model.train()
        lab = lab_batch(batch)
        classify = self.weight("ab_classification") > 0
        regress = self.weight("ab_regression") > 0
        ab, logits = self.forward(lab, logits=classify, regression=regress)
        inputs: dict[str, torch.Tensor] = {}
        if classify:
            assert logits is not None
            inputs.update(logits=logits, target_ab=lab.target_ab)
        if regress:
            assert ab is not None
            inputs.update(pred=ab / lab.scale, target=batch.target)
        total, logs = self.loss(**inputs)
        self.optimize(total, self.optimizer, self.model)
        return {"loss": total.item(), **{k: float(v) for k, v in logs.items()}}

    # -- validation --------------------------------------------------------------------------
    @classmethod
    def output(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        """The decoded ab / ``ab_scale`` ``(B, 2, H, W)``, the target's shape."""
        lab = lab_batch(batch)
        return predict_ab(model, lab) / lab.scale

    @classmethod
    def predict(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        lab = lab_batch(batch)
        return rgb_of(lab, predict_ab(model, lab))

    @classmethod
    def measure(cls, pred: torch.Tensor, batch: Batch) -> dict[str, torch.Tensor]:
        lab = lab_batch(batch)
        target = rgb_of(lab, lab.target_ab)
        return {
            "psnr": psnr(pred, target),
            "ssim": ssim(pred, target),
            "ab_auc": ab_auc(pred, target),
        }

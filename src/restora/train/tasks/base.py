"""`Task`: what one training step means for a kind of problem.

A task builds its networks and optimizers from the config, runs ``step(batch)`` (forward, loss,
backward, optimizer step - several of them for GANs) and says how to predict and measure on
validation batches. The loop only calls ``step``, ``predict`` and ``measure``; it never knows
whether a discriminator exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import torch
from torch import nn

from restora.core.errors import ConfigError, RestoraError
from restora.losses import LossComposer, LossTerm
from restora.models import create_model
from restora.models.base import ConfigurableModel
from restora.models.checkpoint import load_weights_into
from restora.train.config import TrainConfig
from restora.train.distributed import DistInfo, wrap_model
from restora.train.optim import build_optimizer, clip_gradients

Batch = Any  # restora.data.PairedSample: input, target, mask (B, 1, H, W) or None, meta
TermFactory = Callable[["Task"], LossTerm]


def _given(value: torch.Tensor) -> torch.Tensor:
    """A loss term computed before the composer runs (e.g. the adversarial loss)."""
    return value


def precomputed(key: str) -> TermFactory:
    """Term factory taking the composer input ``key`` as it is."""
    return lambda task: LossTerm(fn=_given, inputs={"value": key})


class Task:
    """Base class. Subclasses set ``kind``, ``term_factories`` (loss name -> factory),
    ``metric_names`` and implement :meth:`step`, :meth:`predict` and :meth:`measure`.

    Attributes:
        model: the trained network (unwrapped; saved, averaged by EMA, used for validation).
        train_model: ``model`` or its DDP wrapper, used in :meth:`step`.
        optimizer: optimizer of ``model``.
    """

    kind: ClassVar[str] = ""
    term_factories: ClassVar[Mapping[str, TermFactory]] = {}
    metric_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, config: TrainConfig, *, device: torch.device, dist: DistInfo, example: Batch
    ) -> None:
        """``example``: one batch of the training data (channel counts for discriminators)."""
        self.config = config
        self.device = device
        self.dist = dist
        check_terms(type(self), config.loss.terms)
        self.model = build_network(config.model.name, config.model.options).to(device)
        if config.model.init:
            initialize_from(self.model, config.model.init)
        if config.model.trainable:
            freeze_except(self.model, config.model.trainable)
        self.train_model = wrap_model(self.model, dist, device)
        self.optimizer = build_optimizer(self.model.parameters(), config.optim)
        self.loss = self.build_loss().to(device)

    # -- what subclasses provide -------------------------------------------------------------
    def step(self, batch: Batch) -> dict[str, float]:
        """One training step on this rank's batch; returns logs with at least ``"loss"``."""
        raise NotImplementedError

    @classmethod
    def output(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        """The raw network output on ``batch`` (same shape as ``batch.target``)."""
        return model(batch.input)

    @classmethod
    def predict(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        """What is measured: the output as an image (or probabilities); the caller sets eval
        mode and no-grad."""
        raise NotImplementedError

    @classmethod
    def measure(cls, pred: torch.Tensor, batch: Batch) -> dict[str, torch.Tensor]:
        """Per-image validation metrics ``{name: (B,)}`` for ``metric_names``."""
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------------------------
    def networks(self) -> dict[str, nn.Module]:
        """Networks to checkpoint, by name (``"model"`` first)."""
        return {"model": self.model}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Optimizers to checkpoint and to schedule, by name."""
        return {"model": self.optimizer}

    def run_files(self) -> dict[str, str]:
        """Text files the task made while being built, by file name, for the run folder
        (e.g. the colorization task's ``ab_prior.json``); none by default."""
        return {}

    def build_loss(self) -> LossComposer:
        """The composer of the configured terms with weight > 0."""
        terms = {
            name: _weighted(self.term_factories[name](self), weight)
            for name, weight in self.config.loss.terms.items()
            if weight > 0
        }
        return LossComposer(terms)

    def weight(self, term: str) -> float:
        """The configured weight of ``term`` (0 when absent)."""
        return self.config.loss.terms.get(term, 0.0)

    def optimize(
        self, loss: torch.Tensor, optimizer: torch.optim.Optimizer, module: nn.Module
    ) -> None:
        """``zero_grad -> backward -> clip -> step`` for one optimizer."""
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_gradients(module.parameters(), self.config.optim.grad_clip)
        optimizer.step()


def _weighted(term: LossTerm, weight: float) -> LossTerm:
    return LossTerm(fn=term.fn, weight=weight, inputs=term.inputs)


def check_terms(task: type[Task], terms: Mapping[str, float]) -> None:
    """Raise ``ConfigError`` naming a loss term the task does not know."""
    for name in terms:
        if name not in task.term_factories:
            known = ", ".join(sorted(task.term_factories))
            raise ConfigError(
                f"unknown option 'loss.terms.{name}' for {task.kind} tasks (known: {known})"
            )


def initialize_from(model: nn.Module, folder: str) -> None:
    """Load ``model.init``'s weights into ``model`` (``ConfigError`` when they do not fit)."""
    if not isinstance(model, ConfigurableModel):
        raise ConfigError(f"model.init: {type(model).__name__} is not a restora model")
    try:
        load_weights_into(model, folder)
    except RestoraError as exc:
        raise ConfigError(f"model.init: {exc}") from None


def freeze_except(model: nn.Module, prefixes: list[str]) -> None:
    """Train only the parameters whose names start with one of ``prefixes`` (a whole name
    segment: ``"up.1"`` is not ``"up.10"``): the others stop needing gradients, and batch norms
    with no trainable parameter stop updating their running statistics (momentum 0), so the
    frozen part computes exactly what it did at inference. ``ConfigError`` for a prefix that
    names no parameter."""
    names = [name for name, _ in model.named_parameters()]
    for prefix in prefixes:
        if not any(_under(name, prefix) for name in names):
            raise ConfigError(f"model.trainable: {prefix!r} names no parameter of the model")
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(any(_under(name, p) for p in prefixes))
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not any(
            p.requires_grad for p in module.parameters()
        ):
            module.momentum = 0.0


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def build_network(name: str, options: Mapping[str, Any]) -> nn.Module:
    """``create_model(name, **options)`` with a ``ConfigError`` naming the config section."""
    try:
        return create_model(name, **dict(options))
    except KeyError as exc:
        raise ConfigError(f"model {name!r}: {exc.args[0] if exc.args else exc}") from None
    except TypeError as exc:
        raise ConfigError(f"model {name!r}: {exc}") from None

"""Task objects: what a training step is for each kind of problem (see :class:`Task`)."""

from __future__ import annotations

from restora.train.config import TrainConfig
from restora.train.tasks.adversary import Adversary
from restora.train.tasks.base import Task, check_terms
from restora.train.tasks.colorize import COLORIZE_TERMS, ColorizationTask
from restora.train.tasks.image2image import GANTask, ImageToImageTask
from restora.train.tasks.inpaint import InpaintTask
from restora.train.tasks.segmentation import SegmentationTask

TASKS: dict[str, type[Task]] = {
    "image2image": ImageToImageTask,
    "gan": GANTask,
    "inpaint": InpaintTask,
    "segmentation": SegmentationTask,
    "colorize": ColorizationTask,
}
PRESET_KINDS = {"inpaint": "inpaint", "damage": "segmentation"}
ADVERSARIAL_TERMS = ("adversarial", "feature_matching")


def task_kind(config: TrainConfig) -> str:
    """The task kind of ``config`` (``task.kind``, or derived from the preset when "auto")."""
    if config.task.kind != "auto":
        return config.task.kind
    if config.task.preset == "colorize" and any(t in config.loss.terms for t in COLORIZE_TERMS):
        return "colorize"
    kind = PRESET_KINDS.get(config.task.preset, "image2image")
    adversarial = any(config.loss.terms.get(t, 0.0) > 0 for t in ADVERSARIAL_TERMS)
    return "gan" if kind == "image2image" and adversarial else kind


def task_class(config: TrainConfig) -> type[Task]:
    """The :class:`Task` subclass for ``config``; its loss terms are checked by name."""
    cls = TASKS[task_kind(config)]
    check_terms(cls, config.loss.terms)
    return cls


__all__ = [
    "TASKS",
    "Adversary",
    "ColorizationTask",
    "GANTask",
    "ImageToImageTask",
    "InpaintTask",
    "SegmentationTask",
    "Task",
    "task_class",
    "task_kind",
]

"""Segmentation task (damage detection): logits from ``model(input)``, cross-entropy + soft
Dice, IoU/Dice/precision/recall on validation."""

from __future__ import annotations

import torch
from torch import nn

from restora.metrics.segmentation import dice, iou, precision_recall
from restora.train.tasks.base import Batch, Task
from restora.train.tasks.terms import segmentation_terms


def labels(batch: Batch) -> torch.Tensor:
    """The binary label map ``(B, 1, H, W)`` (1 = damage): the target when it has one channel
    (the ``damage`` preset), else the sample's mask."""
    if batch.target.shape[1] == 1:
        return batch.target
    if batch.mask is None:
        raise ValueError("segmentation needs 1-channel targets or samples with a mask")
    return batch.mask


class SegmentationTask(Task):
    """Binary segmentation: the model returns logits ``(B, 1, H, W)``; terms ``ce`` and
    ``dice``. ``predict`` gives probabilities; metrics threshold them at 0.5."""

    kind = "segmentation"
    term_factories = segmentation_terms()
    metric_names = ("iou", "dice", "precision", "recall")

    def step(self, batch: Batch) -> dict[str, float]:
        self.train_model.train()
        logits = self.train_model(batch.input)
        total, logs = self.loss(pred=logits, target=labels(batch))
        self.optimize(total, self.optimizer, self.model)
        return {"loss": total.item(), **{k: float(v) for k, v in logs.items()}}

    @classmethod
    def predict(cls, model: nn.Module, batch: Batch) -> torch.Tensor:
        return torch.sigmoid(cls.output(model, batch))

    @classmethod
    def measure(cls, pred: torch.Tensor, batch: Batch) -> dict[str, torch.Tensor]:
        target = labels(batch)
        precision, recall = precision_recall(pred, target)
        return {
            "iou": iou(pred, target),
            "dice": dice(pred, target),
            "precision": precision,
            "recall": recall,
        }

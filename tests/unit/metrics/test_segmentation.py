"""IoU, Dice, precision and recall on hand-made masks with known counts."""

from __future__ import annotations

import pytest
import torch

from restora.metrics.segmentation import dice, iou, precision_recall


def _mask(rows: list[str]) -> torch.Tensor:
    """A (1, 1, H, W) mask from strings of '0' / '1'."""
    return torch.tensor([[int(c) for c in row] for row in rows], dtype=torch.float32)[None, None]


# pred: 3 pixels, target: 4 pixels, overlap 2 -> tp=2, fp=1, fn=2
PRED = _mask(["1100", "0010", "0000"])
TARGET = _mask(["1100", "0000", "0011"])


def test_known_counts():
    assert iou(PRED, TARGET).item() == pytest.approx(2 / 5)
    assert dice(PRED, TARGET).item() == pytest.approx(4 / 7)
    precision, recall = precision_recall(PRED, TARGET)
    assert precision.item() == pytest.approx(2 / 3)
    assert recall.item() == pytest.approx(2 / 4)


def test_per_image_values_in_a_batch():
    pred = torch.cat([PRED, TARGET, torch.zeros_like(PRED)])
    target = torch.cat([TARGET, TARGET, TARGET])
    values = iou(pred, target)
    assert values.shape == (3,)
    assert values.tolist() == pytest.approx([0.4, 1.0, 0.0])


def test_empty_masks():
    empty = torch.zeros(1, 1, 3, 4)
    assert iou(empty, empty).item() == 1.0
    assert dice(empty, empty).item() == 1.0
    assert precision_recall(empty, empty) == (torch.ones(1), torch.ones(1))
    # Nothing predicted but something to find: recall 0, no false alarm.
    precision, recall = precision_recall(empty, TARGET)
    assert (precision.item(), recall.item()) == (1.0, 0.0)
    assert iou(empty, TARGET).item() == 0.0
    # Something predicted where there is nothing: precision 0.
    precision, recall = precision_recall(PRED, empty)
    assert (precision.item(), recall.item()) == (0.0, 1.0)


def test_soft_values_are_thresholded_at_half():
    soft = PRED * 0.9 + (1 - PRED) * 0.4
    assert iou(soft, TARGET).item() == pytest.approx(0.4)
    assert iou(TARGET.bool(), TARGET).item() == 1.0


def test_dice_iou_relation_on_random_masks():
    gen = torch.Generator().manual_seed(0)
    pred = (torch.rand(4, 1, 16, 16, generator=gen) > 0.5).float()
    target = (torch.rand(4, 1, 16, 16, generator=gen) > 0.5).float()
    j, d = iou(pred, target), dice(pred, target)
    torch.testing.assert_close(d, 2 * j / (1 + j))


def test_bad_shapes():
    with pytest.raises(ValueError):
        iou(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError):
        dice(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 5))

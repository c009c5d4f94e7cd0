import itertools

import numpy as np
import pytest

from restora.ops.boxes import box_iou, nms


def test_iou_values():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30], [2, 2, 2, 8]])
    assert np.allclose(box_iou(a, b), [[1.0, 50 / 150, 0.0, 0.0]])


def _brute_nms(boxes, scores, threshold):
    keep = []
    for i in np.argsort(-scores, kind="stable"):
        if all(box_iou(boxes[i : i + 1], boxes[j : j + 1])[0, 0] <= threshold for j in keep):
            keep.append(int(i))
    return keep


def test_nms_matches_brute_force_on_random_boxes():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, (60, 2))
    wh = rng.uniform(5, 30, (60, 2))
    boxes = np.hstack([xy, xy + wh])
    scores = rng.random(60)
    for threshold in (0.3, 0.5, 0.7):
        assert nms(boxes, scores, threshold).tolist() == _brute_nms(boxes, scores, threshold)


def test_nms_min_mode_drops_a_box_inside_another():
    boxes = np.array([[0, 0, 100, 100], [10, 10, 30, 30]], np.float64)
    scores = np.array([0.9, 0.8])
    assert nms(boxes, scores, 0.5).tolist() == [0, 1]  # IoU 0.04: both kept
    assert nms(boxes, scores, 0.5, mode="min").tolist() == [0]  # inside: dropped


def test_nms_inclusive_counts_pixels():
    boxes = np.array([[0, 0, 1, 1], [1, 1, 2, 2]], np.float64)
    scores = np.array([0.9, 0.8])
    assert nms(boxes, scores, 0.1).tolist() == [0, 1]  # touching corners
    # inclusive: each box is 2x2 pixels and they share one pixel: IoU 1/7
    assert nms(boxes, scores, 0.1, inclusive=True).tolist() == [0]
    assert list(itertools.chain(nms(np.zeros((0, 4)), np.zeros(0), 0.5))) == []


def test_nms_bad_input():
    with pytest.raises(ValueError, match="boxes but"):
        nms(np.zeros((2, 4)), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="mode"):
        nms(np.zeros((1, 4)), np.zeros(1), 0.5, mode="max")  # type: ignore[arg-type]

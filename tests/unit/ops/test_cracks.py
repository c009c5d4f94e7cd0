"""``restora.ops.cracks``: light crack networks on smooth ground, not the picture's own lines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.ops.cracks import crack_contrast, detect_cracks, keep_supported

SIZE = 256


def _ground(seed: int = 0) -> np.ndarray:
    """A smooth print: a gentle diagonal gradient (0.25-0.45) with faint grain, float32 (H, W)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    return 0.25 + 0.1 * (x + y) + rng.normal(0, 0.005, (SIZE, SIZE)).astype(np.float32)


def _crack_network(seed: int = 0) -> np.ndarray:
    """Where a branching crack network lies: random walks that turn a little at every step
    and now and then fork, 1-2 px wide; bool (H, W). Written for this test only."""
    rng = np.random.default_rng(seed)
    canvas = np.zeros((SIZE, SIZE), np.uint8)
    walkers = [
        (rng.uniform(20, SIZE - 20), rng.uniform(20, SIZE - 20), rng.uniform(0, 6.3))
        for _ in range(5)
    ]
    steps = 0
    while walkers and steps < 400:
        y, x, heading = walkers.pop()
        points = [(x, y)]
        for _ in range(int(rng.integers(8, 20))):
            heading += rng.normal(0, 0.5)
            x, y = x + 4 * np.cos(heading), y + 4 * np.sin(heading)
            points.append((x, y))
            if rng.random() < 0.08:
                walkers.append((y, x, heading + rng.choice([-1, 1]) * rng.uniform(0.6, 1.2)))
            steps += 1
        line = np.round(np.array(points)).astype(np.int32)
        cv2.polylines(canvas, [line], False, 1, thickness=int(rng.integers(1, 3)))
    return canvas.astype(bool)


def _photo(luma: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.clip(luma, 0, 1)).float()[None, None].expand(1, 3, -1, -1).clone()


def _near(mask: np.ndarray, radius: int = 1) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * radius + 1,) * 2, np.uint8)) > 0


def test_finds_most_of_a_light_crack_network_on_smooth_ground():
    cracks = _crack_network(seed=3)
    luma = _ground()
    luma[cracks] = 0.8
    mask, evidence = detect_cracks(_photo(luma))
    found = mask[0, 0].numpy() > 0.5
    recall = float(_near(found)[cracks].mean())
    precision = float(_near(cracks, 2)[found].mean())
    assert recall > 0.7, recall
    assert precision > 0.9, precision
    on = evidence[0, 0].numpy()[found]
    assert on.min() >= 0.5 and on.max() <= 1.0
    assert float(evidence[0, 0].numpy()[~found].max()) == 0.0


def test_clean_smooth_ground_dark_lines_and_edges_are_not_cracks():
    luma = _ground()
    luma[:, 128:] += 0.3  # a step edge
    dark = _crack_network(seed=5)
    luma[dark] = 0.05  # dark lines: hairs, the picture's own outlines
    mask, _ = detect_cracks(_photo(luma))
    assert float(mask.mean()) < 0.001


def test_light_lines_among_as_many_dark_ones_are_texture():
    """A woven or patterned cloth: thin light and dark lines alternate; no light line there is
    a crack (the polarity rule), though each stands out as well as one."""
    luma = _ground()
    for x in range(8, SIZE - 8, 8):
        luma[:, x] = 0.75
        luma[:, x + 4] = 0.05
    mask, _ = detect_cracks(_photo(luma))
    assert float(mask.mean()) < 0.001
    alone = _ground()
    alone[:, 8 : SIZE - 8 : 24] = 0.75  # light lines alone, further apart
    assert float(detect_cracks(_photo(alone))[0].mean()) > 0.05


def test_higher_sensitivity_finds_fainter_cracks():
    cracks = _crack_network(seed=7)
    luma = _ground()
    luma[cracks] += 0.07  # faint
    image = _photo(luma)
    low = float(detect_cracks(image, sensitivity=0.3)[0][0, 0][torch.from_numpy(cracks)].mean())
    high = float(detect_cracks(image, sensitivity=0.7)[0][0, 0][torch.from_numpy(cracks)].mean())
    assert high > low + 0.2, (low, high)


def test_contrast_is_zero_beside_a_step_and_positive_on_a_line():
    luma = np.full((64, 64), 0.2, np.float32)
    luma[:, 32:] = 0.7
    assert float(crack_contrast(luma, 1.0).max()) < 1e-6
    luma[20, :] = 0.95
    assert float(crack_contrast(luma, 1.0)[20, 10]) > 0.3


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="one image"):
        detect_cracks(torch.zeros(2, 3, 32, 32))
    with pytest.raises(ValueError, match="sensitivity"):
        detect_cracks(torch.zeros(1, 3, 32, 32), sensitivity=1.5)


def test_only_pieces_another_detector_supports_are_kept():
    mask = torch.zeros(1, 1, 40, 40)
    mask[..., 5:35, 10] = 1  # nothing else sees it
    mask[..., 5:35, 20] = 1  # the network sees part of it
    mask[..., 5:35, 30] = 1  # the network sees only a speck beside it
    probability = torch.zeros(1, 1, 40, 40)
    probability[..., 5:20, 20] = 0.3
    probability[..., 20, 32] = 0.2  # reaches 5 of its 30 px: mean support 0.03 < 0.05
    kept = keep_supported(mask, probability)[0, 0]
    assert kept[:, 10].sum() == 0 and kept[:, 20].sum() == 30 and kept[:, 30].sum() == 0
    assert keep_supported(mask, probability, support=0.005)[0, 0, :, 30].sum() == 30
    clear = mask * 0.55
    clear[..., 10] = mask[..., 10] * 0.9  # 1.8 times the contrast needed
    with_evidence = keep_supported(mask, probability, evidence=clear)[0, 0]
    assert with_evidence[:, 10].sum() == 30 and with_evidence[:, 30].sum() == 0
    with pytest.raises(ValueError, match="probability"):
        keep_supported(mask, probability[..., :20])
    with pytest.raises(ValueError, match="evidence"):
        keep_supported(mask, probability, evidence=clear[..., :20])

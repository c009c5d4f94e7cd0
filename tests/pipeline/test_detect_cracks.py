"""``detect.cracks``: the crack detector's marks join the damage stage's candidates."""

from __future__ import annotations

import cv2
import numpy as np
import torch

import restora


def _cracked_print() -> tuple[torch.Tensor, np.ndarray]:
    """A smooth warm-gray print (256 x 256) crossed by a light, branching crack network."""
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:256, 0:256].astype(np.float32) / 256
    luma = 0.3 + 0.1 * x + rng.normal(0, 0.004, (256, 256)).astype(np.float32)
    cracks = np.zeros((256, 256), np.uint8)
    for _ in range(14):
        point = rng.uniform(16, 240, 2)
        heading = rng.uniform(0, 2 * np.pi)
        points = [point.copy()]
        for _ in range(12):
            heading += rng.normal(0, 0.45)
            point = point + 5 * np.array([np.cos(heading), np.sin(heading)])
            points.append(point.copy())
        cv2.polylines(cracks, [np.round(np.array(points)).astype(np.int32)], False, 1, 1)
    truth = cracks.astype(bool)
    luma[truth] = 0.78
    rgb = np.stack([luma * 1.05, luma, luma * 0.9], 0).clip(0, 1)
    return torch.from_numpy(rgb)[None].float(), truth


def test_cracks_option_finds_the_network_the_default_leaves():
    image, truth = _cracked_print()
    plain = restora.restore(image, stages=["detect_damage"])
    with_cracks = restora.restore(image, stages=["detect_damage"], detect={"cracks": True})
    near = cv2.dilate(truth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    found_plain = float(plain.mask[0, 0].numpy()[truth].mean())
    found = float(with_cracks.mask[0, 0].numpy()[truth].mean())
    assert found > 0.6, found
    assert found > found_plain + 0.2, (found_plain, found)
    flagged = with_cracks.mask[0, 0].numpy() > 0.5
    assert float(near[flagged].mean()) > 0.9  # what it repairs lies on the cracks
    notes = " ".join(n for record in with_cracks.records for n in record.notes)
    assert "crack detector" in notes


def test_cracks_option_leaves_a_clean_print_alone():
    image, truth = _cracked_print()
    clean = image.clone()
    clean[..., torch.from_numpy(truth)] = image[..., torch.from_numpy(~truth)].mean((-1,))[
        ..., None
    ]
    out = restora.restore(clean, stages=["detect_damage"], detect={"cracks": True})
    assert float(out.mask.mean()) < 0.001


def test_cracks_option_also_joins_the_classical_detector():
    image, truth = _cracked_print()
    plain = restora.restore(image, stages=["detect_damage"], detect={"method": "classical"})
    with_cracks = restora.restore(
        image, stages=["detect_damage"], detect={"method": "classical", "cracks": True}
    )
    found_plain = float(plain.mask[0, 0].numpy()[truth].mean())
    found = float(with_cracks.mask[0, 0].numpy()[truth].mean())
    assert found > 0.6 and found > found_plain + 0.2, (found_plain, found)


def test_over_the_memory_budget_cracks_are_found_on_a_smaller_copy():
    image, truth = _cracked_print()
    big = torch.nn.functional.interpolate(image, scale_factor=4, mode="nearest")  # 1024 x 1024
    big_truth = torch.from_numpy(truth).repeat_interleave(4, 0).repeat_interleave(4, 1)
    out = restora.restore(
        big, stages=["detect_damage"], detect={"cracks": True}, memory_budget_mb=64
    )
    notes = " ".join(out.record("detect_damage").notes)
    assert "found at 0." in notes and "to fit the memory budget" in notes
    assert out.mask.shape[-2:] == big.shape[-2:]
    assert float(out.mask[0, 0][big_truth].mean()) > 0.6

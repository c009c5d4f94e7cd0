"""Colourfulness (Hasler-Süsstrunk) and the AuC of the ab-error CDF (Zhang et al.) by hand."""

from __future__ import annotations

import math

import pytest
import torch

from restora.color import lab_to_rgb
from restora.metrics import ab_auc, ab_error_cdf, colorfulness


def test_colorfulness_by_hand():
    image = torch.zeros(1, 3, 2, 2)
    image[0, 0, 0] = 1.0  # top row red (255, 0, 0)
    image[0, 1, 1] = 1.0  # bottom row green (0, 255, 0)
    # rg = +-255: mean 0, std 255; yb = 127.5 everywhere: mean 127.5, std 0
    assert colorfulness(image).item() == pytest.approx(255.0 + 0.3 * 127.5)
    assert colorfulness(torch.full((2, 3, 5, 5), 0.3)).tolist() == [0.0, 0.0]
    one = torch.zeros(1, 3, 1, 1)
    one[0, 2] = 1.0  # pure blue: rg = 0, yb = -255 (no spread) -> 0.3 * 255
    assert colorfulness(one).item() == pytest.approx(0.3 * 255.0)
    with pytest.raises(ValueError):
        colorfulness(torch.rand(1, 1, 4, 4))


def test_ab_error_cdf_and_auc_by_hand():
    target = torch.zeros(1, 2, 1, 4, dtype=torch.float64)
    pred = torch.zeros_like(target)
    pred[0, 0, 0, 1] = 3.0
    pred[0, 1, 0, 1] = 4.0  # error 5
    pred[0, 0, 0, 2] = 75.0  # error 75
    pred[0, 0, 0, 3] = 200.0  # error 200, never counted
    thresholds, cdf = ab_error_cdf(pred, target)
    assert thresholds.tolist() == list(range(151))
    assert cdf[0, 0] == 0.25 and cdf[0, 4] == 0.25 and cdf[0, 5] == 0.5 and cdf[0, 75] == 0.75
    # area: pixel 0 contributes 150; pixel 1: 145.5 (jump between 4 and 5 -> half a step);
    # pixel 2: 75.5; pixel 3: 0. AuC = mean over pixels / 150
    auc = torch.trapezoid(cdf, thresholds, dim=1) / 150
    assert auc.item() == pytest.approx((150 + 145.5 + 75.5 + 0) / 4 / 150)


def test_ab_auc_of_images():
    lab = torch.zeros(1, 3, 4, 4, dtype=torch.float64)
    lab[:, 0] = 60.0
    lab[:, 1], lab[:, 2] = 20.0, -10.0
    colour = lab_to_rgb(lab).clamp(0, 1)
    gray_lab = lab.clone()
    gray_lab[:, 1:] = 0
    gray = lab_to_rgb(gray_lab).clamp(0, 1)
    assert ab_auc(colour, colour).item() == pytest.approx(1.0)
    # gray vs colour: error ~ sqrt(20^2 + 10^2) = 22.36 everywhere -> AuC = (150 - 22.5ish) / 150
    err = math.hypot(20.0, 10.0)
    assert ab_auc(gray, colour).item() == pytest.approx(
        (150 - math.ceil(err) + 0.5) / 150, abs=2e-3
    )
    with pytest.raises(ValueError):
        ab_error_cdf(torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, 3))

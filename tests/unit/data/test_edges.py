"""Canny edges: on the object outline, not in flat areas; thresholds behave."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.data.edges import canny_edges


def _square(contrast: float) -> torch.Tensor:
    image = torch.full((1, 3, 64, 64), 0.4)
    image[..., 20:44, 20:44] += contrast
    return image


def test_edges_trace_the_square_outline():
    edges = canny_edges(_square(0.3), sigma=1.0)
    assert edges.shape == (1, 1, 64, 64) and set(edges.unique().tolist()) == {0.0, 1.0}
    ys, xs = torch.nonzero(edges[0, 0], as_tuple=True)
    # Every edge pixel is within one pixel of the square's boundary (rows/cols 19.5 and 43.5).
    near_h = ((ys - 19.5).abs() <= 1.5) | ((ys - 43.5).abs() <= 1.5)
    near_v = ((xs - 19.5).abs() <= 1.5) | ((xs - 43.5).abs() <= 1.5)
    assert bool((near_h | near_v).all())
    assert 4 * 20 < len(ys) < 4 * 30  # one thin closed outline of about 4 x 24 px


def test_thresholds_and_batching():
    weak = _square(0.02)
    assert float(canny_edges(weak, sigma=1.0).sum()) == 0  # below the default thresholds
    assert float(canny_edges(weak, sigma=1.0, low=0.01, high=0.02).sum()) > 40
    batch = torch.cat([_square(0.3), torch.full((1, 3, 64, 64), 0.5)])
    edges = canny_edges(batch, sigma=1.0)
    assert float(edges[0].sum()) > 0 and float(edges[1].sum()) == 0
    with pytest.raises(ValueError):
        canny_edges(batch, low=0.5, high=0.1)


def test_agrees_with_opencv_8bit_canny_on_a_photo(shared):
    from restora.io import read_image

    path = shared / "data" / "sr_testsets" / "Set5" / "butterfly.png"
    image = read_image(path).image
    ours = canny_edges(image, sigma=2.0, low=0.12, high=0.3)[0, 0].numpy() > 0
    gray = cv2.cvtColor(
        np.rint(image[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8), cv2.COLOR_RGB2GRAY
    )
    smooth = cv2.GaussianBlur(gray, (0, 0), 2.0, borderType=cv2.BORDER_REFLECT)
    ref = cv2.Canny(smooth, 0.12 * 255, 0.3 * 255, L2gradient=True) > 0
    assert 0.01 < ours.mean() < 0.2
    assert (ours == ref).mean() > 0.95

"""restora.color against OpenCV / skimage, round trips, gradients, Modules, bad input."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from skimage import color as skcolor

from restora.color import (
    LabToRgb,
    RgbToGray,
    RgbToLab,
    RgbToY,
    RgbToYcbcr,
    YcbcrToRgb,
    lab_to_rgb,
    rgb_to_gray,
    rgb_to_lab,
    rgb_to_y,
    rgb_to_ycbcr,
    ycbcr_to_rgb,
)


@pytest.fixture
def rgb(rng: torch.Generator) -> torch.Tensor:
    """(2, 3, 16, 20) float64 in [0, 1] with black, white, primaries and dark values included."""
    x = torch.rand(2, 3, 16, 20, generator=rng, dtype=torch.float64)
    x[0, :, 0, :8] = torch.tensor(
        [[0, 1, 1, 0, 0, 0.01, 0.03, 0.002], [0, 1, 0, 1, 0, 0.01, 0.04, 0.0]]
        + [[0, 1, 0, 0, 1, 0.01, 0.05, 0.001]],
        dtype=torch.float64,
    )
    return x


def _hwc(x: torch.Tensor) -> np.ndarray:
    return x.permute(0, 2, 3, 1).numpy()


def test_gray_matches_opencv(rgb):
    ours = rgb_to_gray(rgb.float())
    assert ours.shape == (2, 1, 16, 20) and ours.dtype == torch.float32
    ref = np.stack([cv2.cvtColor(h, cv2.COLOR_RGB2GRAY) for h in _hwc(rgb.float())])
    np.testing.assert_allclose(ours[:, 0].numpy(), ref, atol=1e-6)


def test_ycbcr_matches_skimage_in_0_255_units(rgb):
    ref = np.stack([skcolor.rgb2ycbcr(h) for h in _hwc(rgb)])  # Y in [16, 235], Cb/Cr [16, 240]
    np.testing.assert_allclose(_hwc(rgb_to_ycbcr(rgb)) * 255, ref, atol=1e-3)
    np.testing.assert_allclose(_hwc(rgb_to_ycbcr(rgb.float())) * 255, ref, atol=1e-3)
    np.testing.assert_allclose(rgb_to_y(rgb)[:, 0].numpy() * 255, ref[..., 0], atol=1e-3)
    back = np.stack([skcolor.ycbcr2rgb(h) for h in ref])
    np.testing.assert_allclose(_hwc(ycbcr_to_rgb(rgb_to_ycbcr(rgb))), back, atol=1e-3)


def test_lab_matches_skimage_in_cie_units(rgb):
    ref = np.stack([skcolor.rgb2lab(h) for h in _hwc(rgb)])  # L in [0, 100], a/b unscaled
    ours = rgb_to_lab(rgb)
    np.testing.assert_allclose(_hwc(ours), ref, atol=1e-3)
    np.testing.assert_allclose(_hwc(rgb_to_lab(rgb.float())), ref, atol=1e-3)
    back = np.stack([skcolor.lab2rgb(h) for h in ref])  # RGB in [0, 1]
    np.testing.assert_allclose(
        _hwc(lab_to_rgb(torch.from_numpy(ref).permute(0, 3, 1, 2))), back, atol=1e-3
    )


def test_lab_matches_opencv(rgb):
    lab = rgb_to_lab(rgb)
    # Lab -> RGB: OpenCV's float path is exact (RGB in [0, 1] units).
    ref = np.stack([cv2.cvtColor(h, cv2.COLOR_Lab2RGB) for h in _hwc(lab).astype(np.float32)])
    np.testing.assert_allclose(_hwc(lab_to_rgb(lab)), ref, atol=1e-3)
    # RGB -> Lab: OpenCV's float path interpolates lookup tables (a/b steps of 1/64, errors of a
    # few tenths; opencv/opencv#12808), so only a loose check in Lab units is possible there.
    ref = np.stack([cv2.cvtColor(h, cv2.COLOR_RGB2Lab) for h in _hwc(rgb).astype(np.float32)])
    np.testing.assert_allclose(_hwc(lab), ref, atol=0.5)


def test_round_trips(rgb):
    for x in (rgb, rgb.float()):
        assert (ycbcr_to_rgb(rgb_to_ycbcr(x)) - x).abs().max() < 1e-4
        assert (lab_to_rgb(rgb_to_lab(x)) - x).abs().max() < 1e-4
        assert lab_to_rgb(rgb_to_lab(x)).dtype == x.dtype


def test_documented_ranges():
    corners = torch.tensor(
        [[c >> 2 & 1, c >> 1 & 1, c & 1] for c in range(8)], dtype=torch.float64
    ).T.reshape(1, 3, 8, 1)
    lab = rgb_to_lab(corners)
    assert lab[:, 0].min() >= 0 and lab[:, 0].max() <= 100 + 1e-9
    assert -110 < lab[:, 1:].min() < -80 and 90 < lab[:, 1:].max() < 110
    ycc = rgb_to_ycbcr(corners) * 255
    assert ycc[:, 0].min().item() == pytest.approx(16) and ycc[:, 0].max().item() == pytest.approx(
        235
    )
    assert ycc[:, 1:].min().item() == pytest.approx(16) and ycc[
        :, 1:
    ].max().item() == pytest.approx(240)


@pytest.mark.parametrize(
    "fn", [rgb_to_gray, rgb_to_ycbcr, ycbcr_to_rgb, rgb_to_y, rgb_to_lab, lab_to_rgb]
)
def test_gradcheck(fn, rng):
    # Values in [0.15, 0.85] stay away from the sRGB and CIE-f branch points.
    x = 0.15 + 0.7 * torch.rand(1, 3, 3, 4, generator=rng, dtype=torch.float64)
    if fn is lab_to_rgb:
        x = rgb_to_lab(x).detach()
    torch.autograd.gradcheck(fn, (x.requires_grad_(),))


def test_lab_gradients_finite_at_black_and_branch_points():
    values = torch.tensor([0.0, 0.04045, 1e-6, 1.0], dtype=torch.float64)
    x = values.view(1, 1, 4, 1).repeat(1, 3, 1, 1).requires_grad_()
    rgb_to_lab(x).sum().backward()
    assert torch.isfinite(x.grad).all()
    lab = torch.tensor([0.0, 0.0, 0.0], dtype=torch.float64).view(1, 3, 1, 1).requires_grad_()
    lab_to_rgb(lab).sum().backward()
    assert torch.isfinite(lab.grad).all()


@pytest.mark.parametrize(
    ("module", "fn"),
    [
        (RgbToGray, rgb_to_gray),
        (RgbToYcbcr, rgb_to_ycbcr),
        (YcbcrToRgb, ycbcr_to_rgb),
        (RgbToY, rgb_to_y),
        (RgbToLab, rgb_to_lab),
        (LabToRgb, lab_to_rgb),
    ],
)
def test_module_equals_function(module, fn, smooth_image):
    assert torch.equal(module()(smooth_image), fn(smooth_image))


@pytest.mark.parametrize("fn", [rgb_to_gray, rgb_to_ycbcr, rgb_to_lab, lab_to_rgb, rgb_to_y])
def test_bad_input(fn):
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        fn(torch.zeros(1, 4, 2, 2))
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        fn(torch.zeros(3, 2, 2))
    with pytest.raises(TypeError, match="floating-point"):
        fn(torch.zeros(1, 3, 2, 2, dtype=torch.uint8))

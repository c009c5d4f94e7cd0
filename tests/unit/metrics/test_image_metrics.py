"""restora.metrics psnr / ssim / mae and the SR-protocol helpers, against formulas and skimage."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from skimage import color as skcolor
from skimage.metrics import structural_similarity

from restora.metrics import mae, mod_crop, psnr, quantize_8bit, ssim


@pytest.fixture
def pair(rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(2, 3, 40, 36) float64 reference (smooth + texture) and a noisy, blurred-ish estimate."""
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 40), torch.linspace(0, 1, 36), indexing="ij")
    base = torch.stack([xx, yy, 0.5 + 0.4 * torch.sin(9 * xx * yy)]).double()
    ref = (0.8 * base + 0.2 * torch.rand(2, 3, 40, 36, generator=rng, dtype=torch.float64)).clamp(
        0, 1
    )
    est = (ref + 0.08 * torch.randn(2, 3, 40, 36, generator=rng, dtype=torch.float64)).clamp(0, 1)
    return est, ref


def _hwc(x: torch.Tensor) -> np.ndarray:
    return x.permute(1, 2, 0).numpy()


def test_psnr_of_identical_images_is_inf(pair):
    est, _ = pair
    assert torch.isinf(psnr(est, est)).all() and (psnr(est, est) > 0).all()
    assert torch.isinf(psnr(est, est, y_channel=True)).all()


def test_psnr_known_mse(pair):
    _, ref = pair
    assert psnr(ref, ref + 0.1).tolist() == pytest.approx([20.0, 20.0], abs=1e-9)  # MSE 0.01
    assert psnr(ref * 255, ref * 255 + 2.55, data_range=255).tolist() == pytest.approx([40.0, 40.0])
    shifted = ref.clone()
    shifted[0, 0, :20] += 0.5  # MSE = 0.25 * (1/3) * (20/40) = 1/24
    assert psnr(shifted, ref)[0].item() == pytest.approx(10 * math.log10(24), abs=1e-9)
    assert psnr(shifted, ref)[1].item() == math.inf


def test_psnr_y_channel_matches_skimage_ycbcr(pair):
    est, ref = pair
    for b in range(2):
        y_est = skcolor.rgb2ycbcr(_hwc(est[b]))[..., 0][3:-3, 3:-3]  # 0..255 units
        y_ref = skcolor.rgb2ycbcr(_hwc(ref[b]))[..., 0][3:-3, 3:-3]
        expected = 10 * math.log10(255**2 / np.mean((y_est - y_ref) ** 2))
        got = psnr(est, ref, y_channel=True, crop_border=3)[b].item()
        assert got == pytest.approx(expected, abs=1e-9)
    # data_range only rescales: 0..255 inputs give the same Y-PSNR
    torch.testing.assert_close(
        psnr(est * 255, ref * 255, data_range=255, y_channel=True), psnr(est, ref, y_channel=True)
    )


def test_y_channel_on_gray_uses_values_directly(pair):
    est, ref = pair
    gray_est, gray_ref = est[:, :1], ref[:, :1]
    torch.testing.assert_close(psnr(gray_est, gray_ref, y_channel=True), psnr(gray_est, gray_ref))
    torch.testing.assert_close(ssim(gray_est, gray_ref, y_channel=True), ssim(gray_est, gray_ref))


def test_crop_border_ignores_the_border(pair):
    est, ref = pair
    spoiled = est.clone()
    spoiled[..., :2, :] = 1 - spoiled[..., :2, :]
    spoiled[..., :, -2:] = 0
    for metric in (psnr, ssim, mae):
        torch.testing.assert_close(
            metric(spoiled, ref, crop_border=2), metric(est, ref, crop_border=2)
        )
        assert not torch.allclose(metric(spoiled, ref), metric(est, ref))


def test_ssim_of_identical_images_is_one(pair):
    est, _ = pair
    torch.testing.assert_close(ssim(est, est), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(
        ssim(est, est, y_channel=True, crop_border=4), torch.ones(2, dtype=torch.float64)
    )


@pytest.mark.parametrize("data_range", [1.0, 255.0])
def test_ssim_matches_skimage(pair, data_range):
    est, ref = (t * data_range for t in pair)
    ours = ssim(est, ref, data_range=data_range)
    for b in range(2):
        # skimage filters 'same' with reflection and then drops the 5 border pixels, which is
        # Wang's 'valid' filtering; it averages the channels' mean SSIM, as we do.
        expected = structural_similarity(
            _hwc(est[b]),
            _hwc(ref[b]),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=data_range,
            channel_axis=-1,
        )
        assert ours[b].item() == pytest.approx(expected, abs=1e-4)
    assert 0.3 < ours.min() < ours.max() < 0.95  # a non-trivial comparison


def test_ssim_y_channel_matches_skimage_on_ycbcr(pair):
    est, ref = pair
    got = ssim(est, ref, y_channel=True, crop_border=2)
    for b in range(2):
        y_est = skcolor.rgb2ycbcr(_hwc(est[b]))[..., 0][2:-2, 2:-2]
        y_ref = skcolor.rgb2ycbcr(_hwc(ref[b]))[..., 0][2:-2, 2:-2]
        expected = structural_similarity(
            y_est,
            y_ref,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
        )
        assert got[b].item() == pytest.approx(expected, abs=1e-4)


def test_batch_items_are_independent_and_dtype_kept(pair):
    est, ref = pair
    for metric in (psnr, ssim, mae):
        both = metric(est, ref)
        assert both.shape == (2,) and both.dtype == torch.float64
        torch.testing.assert_close(metric(est[1:], ref[1:])[0], both[1])
        assert metric(est.float(), ref.float()).dtype == torch.float32


def test_mae_known_value(pair):
    _, ref = pair
    assert mae(ref, ref + 0.25).tolist() == pytest.approx([0.25, 0.25])
    assert mae(ref, ref).tolist() == [0.0, 0.0]


def test_metrics_are_differentiable(pair):
    est, ref = pair
    est = est.clone().requires_grad_()
    (ssim(est, ref).sum() - psnr(est, ref, y_channel=True).sum() / 100).backward()
    assert torch.isfinite(est.grad).all() and est.grad.abs().sum() > 0


def test_bad_input(pair):
    est, ref = pair
    with pytest.raises(ValueError, match="same shape"):
        psnr(est, ref[..., :-1])
    with pytest.raises(ValueError, match="crop_border"):
        psnr(est, ref, crop_border=20)
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(est, ref, crop_border=15)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        psnr(est[:, :2], ref[:, :2], y_channel=True)
    with pytest.raises(ValueError, match="data_range"):
        ssim(est, ref, data_range=0)
    with pytest.raises(TypeError, match="floating-point"):
        mae(est.to(torch.uint8), ref.to(torch.uint8))
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        psnr(est[0], ref[0])


def test_quantize_8bit_rounds_like_matlab_uint8():
    x = torch.tensor(
        [-0.1, 0.0, 0.5 / 255, 0.49 / 255, 2.5 / 255, 254.6 / 255, 1.2], dtype=torch.float64
    )
    expected = torch.tensor([0, 0, 1, 0, 3, 255, 255], dtype=torch.float64) / 255
    torch.testing.assert_close(quantize_8bit(x), expected)


def test_mod_crop():
    x = torch.zeros(1, 3, 13, 10)
    assert mod_crop(x, 4).shape == (1, 3, 12, 8)
    assert mod_crop(x, 1).shape == x.shape
    x[..., 0, 0] = 1
    assert (mod_crop(x, 3)[..., 0, 0] == 1).all()  # keeps the top-left corner

"""restora.ops.resize: an independent numpy derivation, PIL interiors, facts, and the SR golden numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

from restora.color import rgb_to_y
from restora.io.arrays import numpy_to_tensor
from restora.metrics import mod_crop, psnr, quantize_8bit, ssim
from restora.ops import resize as resize_module
from restora.ops.resize import imresize, lanczos

KERNELS = ["cubic", "lanczos2", "lanczos3", "linear", "box"]


# --- an independent reference, derived from the definition ------------------------------------
def _kernel(name: str, x: np.ndarray) -> np.ndarray:
    """Kernel values and support radius, written from the textbook formulas."""
    ax = np.abs(x)
    if name == "cubic":  # Keys (1981) with a = -0.5
        a = -0.5
        return np.where(
            ax <= 1,
            (a + 2) * ax**3 - (a + 3) * ax**2 + 1,
            np.where(ax < 2, a * ax**3 - 5 * a * ax**2 + 8 * a * ax - 4 * a, 0.0),
        )
    if name.startswith("lanczos"):
        n = int(name[-1])
        return np.where(ax < n, np.sinc(x) * np.sinc(x / n), 0.0)
    if name == "linear":
        return np.maximum(0.0, 1 - ax)
    return ((x >= -0.5) & (x < 0.5)).astype(float)  # box, half-open as MATLAB


RADIUS = {"cubic": 2, "lanczos2": 2, "lanczos3": 3, "linear": 1, "box": 0.5}


def _reference_matrix(
    n_in: int, n_out: int, scale: float, name: str, antialias: bool
) -> np.ndarray:
    """(n_out, n_in): out pixel i samples at 0-based input position (i + 0.5) / scale - 0.5
    with the kernel stretched by 1/scale when shrinking; taps outside the image read the image
    reflected about its edges (np.pad 'symmetric'); weights are normalised to sum to 1."""
    stretch = scale if (antialias and scale < 1) else 1.0
    radius = RADIUS[name] / stretch
    pad = int(math.ceil(radius + 1 / scale)) + 4  # the ceil()ed last output may sit past the end
    padded_index = np.pad(np.arange(n_in), pad, mode="symmetric")  # handles pad > n_in
    matrix = np.zeros((n_out, n_in))
    for i in range(n_out):
        centre = (i + 0.5) / scale - 0.5
        taps = np.arange(math.floor(centre - radius) - 1, math.ceil(centre + radius) + 2)
        w = stretch * _kernel(name, stretch * (centre - taps))
        w = w / w.sum()
        for t, wt in zip(taps, w, strict=True):
            matrix[i, padded_index[t + pad]] += wt
    return matrix


def _reference(
    x: np.ndarray, out_hw: tuple[int, int], scales: tuple[float, float], name, antialias
):
    mh = _reference_matrix(x.shape[-2], out_hw[0], scales[0], name, antialias)
    mw = _reference_matrix(x.shape[-1], out_hw[1], scales[1], name, antialias)
    return np.einsum("oh,bchw,pw->bcop", mh, x, mw)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("scale", [1 / 4, 1 / 3, 0.5, 0.7, 1.5, 2, 3, 4])
@pytest.mark.parametrize("antialias", [True, False])
def test_matches_independent_reference(kernel, scale, antialias, rng):
    x = torch.rand(1, 2, 13, 10, generator=rng, dtype=torch.float64)
    out = imresize(x, scale=scale, kernel=kernel, antialias=antialias)
    expected_hw = (math.ceil(13 * scale), math.ceil(10 * scale))
    ref = _reference(x.numpy(), expected_hw, (scale, scale), kernel, antialias)
    assert out.shape[-2:] == expected_hw
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("scale", [1 / 3, 2.5])
def test_gather_path_equals_dense_path(kernel, scale, rng, monkeypatch):
    x = torch.rand(2, 3, 17, 12, generator=rng, dtype=torch.float64)
    dense = imresize(x, scale=scale, kernel=kernel)
    monkeypatch.setattr(resize_module, "DENSE_MAX_ENTRIES", 0)
    gathered = imresize(x, scale=scale, kernel=kernel)
    torch.testing.assert_close(gathered, dense, rtol=0, atol=1e-13)
    gradients = torch.autograd.grad(imresize(x.requires_grad_(), scale=scale).sum(), x)[0]
    assert torch.isfinite(gradients).all() and gradients.abs().sum() > 0


@pytest.mark.parametrize("kernel", KERNELS)
def test_size_argument_uses_per_axis_scales(kernel, rng):
    x = torch.rand(2, 1, 9, 14, generator=rng, dtype=torch.float64)
    out = imresize(x, size=(20, 5), kernel=kernel)
    ref = _reference(x.numpy(), (20, 5), (20 / 9, 5 / 14), kernel, True)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-12)


# --- Pillow implements the same kernels (a = -0.5 cubic, support stretched when shrinking) but
# --- renormalises instead of mirroring at the borders: compare pixels whose taps stay inside.
@pytest.mark.parametrize(
    ("kernel", "pil"),
    [
        ("cubic", Image.BICUBIC),
        ("linear", Image.BILINEAR),
        ("lanczos3", Image.LANCZOS),
        ("box", Image.BOX),
    ],
)
@pytest.mark.parametrize("scale", [0.25, 0.5, 2, 3])
def test_interior_matches_pillow(kernel, pil, scale, rng):
    x = torch.rand(1, 1, 48, 40, generator=rng, dtype=torch.float64)
    out = imresize(x, scale=scale, kernel=kernel)[0, 0].numpy()
    size = (math.ceil(40 * scale), math.ceil(48 * scale))  # PIL: (W, H)
    ref = np.asarray(
        Image.fromarray(x[0, 0].numpy().astype(np.float32), mode="F").resize(size, pil)
    )
    margin = math.ceil((RADIUS[kernel] / min(scale, 1) + 1) * scale) + 1
    inner = (slice(margin, -margin), slice(margin, -margin))
    np.testing.assert_allclose(out[inner], ref[inner], atol=2e-5)
    if kernel in ("cubic", "lanczos3"):
        assert np.abs(out - ref).max() > 1e-4  # mirroring vs renormalising shows at the borders


# --- facts --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("scale", [0.3, 0.5, 2.5])
def test_constant_stays_constant(kernel, scale):
    x = torch.full((1, 3, 11, 8), 0.37, dtype=torch.float64)
    out = imresize(x, scale=scale, kernel=kernel)
    assert torch.allclose(out, torch.full_like(out, 0.37), atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_scale_one_is_identity(kernel, rng):
    x = torch.rand(1, 3, 7, 9, generator=rng)
    assert torch.allclose(imresize(x, scale=1.0, kernel=kernel), x, atol=1e-7)
    assert torch.allclose(imresize(x, size=(7, 9), kernel=kernel), x, atol=1e-7)


def test_linear_ramp_downscale_by_two():
    ramp = torch.arange(12, dtype=torch.float64).view(1, 1, 1, 12).repeat(1, 1, 4, 1)
    out = imresize(ramp, size=(4, 6), kernel="linear")[0, 0, 0]
    # interior: the widened triangle is symmetric about the sample position 2i + 0.5
    assert torch.allclose(out[1:-1], torch.tensor([2.5, 4.5, 6.5, 8.5], dtype=torch.float64))
    # edge: taps -1, 0, 1, 2 with weights 1/8, 3/8, 3/8, 1/8 and pixel -1 mirrored to pixel 0
    assert out[0].item() == pytest.approx(0.625, abs=1e-12)
    plain = imresize(ramp, size=(4, 6), kernel="linear", antialias=False)[0, 0, 0]
    # without antialiasing the triangle averages pixels 2i and 2i + 1
    assert torch.allclose(plain, torch.arange(6, dtype=torch.float64) * 2 + 0.5)


def test_linear_ramp_upscale_by_two():
    ramp = torch.arange(8, dtype=torch.float64).view(1, 1, 8, 1)
    out = imresize(ramp, scale=2, kernel="linear")[0, 0, :, 0]
    centres = (torch.arange(16, dtype=torch.float64) + 0.5) / 2 - 0.5
    assert torch.allclose(out[1:-1], centres[1:-1])
    # position -0.25 mixes pixel -1 (mirrored: pixel 0) and pixel 0: 0, not the ramp's -0.25
    assert out[0].item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("hw", "scale", "expected"),
    [((10, 7), 1 / 3, (4, 3)), ((7, 5), 0.5, (4, 3)), ((5, 3), 2.5, (13, 8)), ((1, 1), 4, (4, 4))],
)
def test_output_size_is_ceil(hw, scale, expected):
    assert imresize(torch.rand(1, 1, *hw), scale=scale).shape[-2:] == expected


def test_odd_sizes_dtype_and_batch(rng):
    x = torch.rand(3, 2, 7, 5, generator=rng)
    out = imresize(x, scale=3)
    assert out.shape == (3, 2, 21, 15) and out.dtype == torch.float32
    assert imresize(x.double(), scale=0.5).dtype == torch.float64
    assert torch.allclose(imresize(x[1:2], scale=3), out[1:2])


def test_not_clamped():
    step = torch.zeros(1, 1, 1, 8)
    step[..., 4:] = 1.0
    out = imresize(step, scale=4)
    assert out.min() < 0 and out.max() > 1  # cubic overshoot is kept


def test_gradients(rng):
    x = torch.rand(1, 1, 6, 5, generator=rng, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(lambda t: imresize(t, scale=0.5), (x,))
    torch.autograd.gradcheck(lambda t: imresize(t, size=(9, 4), kernel="lanczos3"), (x,))


def test_lanczos_is_imresize_lanczos3(rng):
    x = torch.rand(1, 3, 10, 12, generator=rng)
    assert torch.equal(lanczos(x, scale=0.6), imresize(x, scale=0.6, kernel="lanczos3"))


def test_bad_input():
    x = torch.rand(1, 3, 8, 8)
    with pytest.raises(ValueError, match="exactly one"):
        imresize(x, scale=2, size=(4, 4))
    with pytest.raises(ValueError, match="exactly one"):
        imresize(x)
    with pytest.raises(ValueError, match="unknown kernel 'bicubic'"):
        imresize(x, scale=2, kernel="bicubic")
    with pytest.raises(ValueError, match="positive"):
        imresize(x, scale=-1)
    with pytest.raises(ValueError, match="two positive integers"):
        imresize(x, size=(0, 4))
    with pytest.raises(TypeError, match="floating-point"):
        imresize(x.to(torch.uint8), scale=2)
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        imresize(x[0], scale=2)


# --- golden: the bicubic baselines every SR paper reports -----------------------------------
def _load(path) -> torch.Tensor:
    return numpy_to_tensor(np.asarray(Image.open(path))).to(torch.float64)


def _bicubic_rgb_protocol(folder, scale: int, *, with_ssim: bool = True) -> tuple[float, float]:
    """HR -> imresize(1/s) -> uint8 -> imresize(s) -> uint8; mean PSNR/SSIM on Y, crop = s."""
    p, s = [], []
    for path in sorted(folder.glob("*.png")):
        hr = mod_crop(_load(path), scale)
        sr = quantize_8bit(imresize(quantize_8bit(imresize(hr, scale=1 / scale)), scale=scale))
        p.append(psnr(sr, hr, crop_border=scale, y_channel=True).item())
        if with_ssim:
            s.append(ssim(sr, hr, crop_border=scale, y_channel=True).item())
    return float(np.mean(p)), float(np.mean(s)) if s else math.nan


def _bicubic_y_protocol(folder, scale: int) -> tuple[float, float]:
    """SRCNN's demo_SR.m: Y = uint8(rgb2ycbcr(HR)); imresize down and up in float; uint8."""
    p, s = [], []
    for path in sorted(folder.glob("*.png")):
        hr = _load(path)
        y = mod_crop(hr if hr.shape[1] == 1 else quantize_8bit(rgb_to_y(hr)), scale)
        sr = quantize_8bit(imresize(imresize(y, scale=1 / scale), scale=scale))
        p.append(psnr(sr, y, crop_border=scale, y_channel=True).item())
        s.append(ssim(sr, y, crop_border=scale, y_channel=True).item())
    return float(np.mean(p)), float(np.mean(s))


@pytest.mark.golden
def test_golden_bicubic_x4_set5_set14(shared):
    folder = shared / "data" / "sr_testsets"
    set5_psnr, set5_ssim = _bicubic_rgb_protocol(folder / "Set5", 4)
    assert set5_psnr == pytest.approx(28.42, abs=0.02)
    assert set5_ssim == pytest.approx(0.8104, abs=0.002)
    set14_psnr, _ = _bicubic_rgb_protocol(folder / "Set14", 4, with_ssim=False)
    assert set14_psnr == pytest.approx(26.00, abs=0.02)


@pytest.mark.golden
@pytest.mark.parametrize(
    ("scale", "published_psnr", "published_ssim"),
    [(2, 33.66, 0.9299), (3, 30.39, 0.8682), (4, 28.42, 0.8104)],
)
def test_golden_bicubic_set5_srcnn_protocol_to_the_last_digit(
    shared, scale, published_psnr, published_ssim
):
    # SRCNN (PSNR) and VDSR (SSIM) tables; reproduced to their printed precision.
    got_psnr, got_ssim = _bicubic_y_protocol(shared / "data" / "sr_testsets" / "Set5", scale)
    assert got_psnr == pytest.approx(published_psnr, abs=0.005)
    assert got_ssim == pytest.approx(published_ssim, abs=0.00005)

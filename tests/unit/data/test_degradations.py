"""Degradations: kernels, blur, downscaling, noise, JPEG, tone; seeded and measured."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from restora.color.gray import rgb_to_gray
from restora.data import aging
from restora.data.blur import GaussianBlur, MotionBlur
from restora.data.degradations import Compose, Identity, RandomApply, RandomChoice
from restora.data.downscale import AreaDownscale, BicubicDownscale
from restora.data.jpeg import JpegCompression, jpeg_roundtrip
from restora.data.kernels import (
    convolve,
    gaussian_kernel,
    motion_kernel,
    random_gaussian_kernel,
    random_motion_kernel,
)
from restora.data.noise import GaussianNoise, PoissonNoise
from restora.data.tone import AgePhoto, Fade, FilmGrain, Grayscale, Sepia
from restora.ops.resize import imresize


def _moments(kernel: torch.Tensor) -> np.ndarray:
    """Covariance matrix (x, y) of a kernel seen as a distribution."""
    k = kernel.double().numpy()
    r = (k.shape[0] - 1) / 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    mx, my = (k * x).sum(), (k * y).sum()
    cxx = (k * (x - mx) ** 2).sum()
    cyy = (k * (y - my) ** 2).sum()
    cxy = (k * (x - mx) * (y - my)).sum()
    return np.array([[cxx, cxy], [cxy, cyy]])


@pytest.fixture
def photo() -> torch.Tensor:
    """(1, 3, 64, 96) smooth colours plus fine texture, deterministic."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 96), indexing="ij")
    texture = 0.08 * torch.sin(40 * x) * torch.cos(30 * y)
    img = torch.stack([0.2 + 0.6 * x + texture, 0.3 + 0.4 * y, 0.7 - 0.4 * x * y - texture])
    return img.unsqueeze(0).clamp(0, 1)


def test_kernels_sum_to_one_and_have_the_requested_spread():
    iso = gaussian_kernel(21, 2.0)
    assert abs(float(iso.sum()) - 1) < 1e-6
    np.testing.assert_allclose(_moments(iso), [[4.0, 0.0], [0.0, 4.0]], atol=1e-3)
    aniso = gaussian_kernel(31, 3.0, 1.0, angle=math.pi / 6)
    rot = np.array(
        [
            [math.cos(math.pi / 6), -math.sin(math.pi / 6)],
            [math.sin(math.pi / 6), math.cos(math.pi / 6)],
        ]
    )
    expected = rot @ np.diag([9.0, 1.0]) @ rot.T
    np.testing.assert_allclose(_moments(aniso), expected, atol=2e-3)
    horizontal = motion_kernel(21, 11.0, 0.0)
    cov = _moments(horizontal)
    assert abs(float(horizontal.sum()) - 1) < 1e-6
    assert 8.0 < cov[0, 0] < 12.0 and cov[1, 1] < 0.1  # uniform segment of 11 px: ~10.1
    assert torch.allclose(
        motion_kernel(7, 0.5, 1.0), F.one_hot(torch.tensor(24), 49).view(7, 7).float()
    )
    gen = np.random.default_rng(0)
    for _ in range(20):
        for kernel in (random_gaussian_kernel(gen), random_motion_kernel(gen)):
            assert kernel.shape == (21, 21) and abs(float(kernel.sum()) - 1) < 1e-5
            assert float(kernel.min()) >= 0


def test_convolve_matches_opencv_filter2d_with_reflect_101(photo):
    kernel = gaussian_kernel(9, 2.5, 0.8, angle=0.7)
    kernel = kernel * torch.linspace(0.5, 1.5, 9)  # make it asymmetric: checks the flip
    kernel = kernel / kernel.sum()
    ours = convolve(photo, kernel)[0].permute(1, 2, 0).numpy()
    flipped = kernel.flip(-1, -2).numpy()  # filter2D correlates
    ref = cv2.filter2D(
        photo[0].permute(1, 2, 0).numpy(), -1, flipped, borderType=cv2.BORDER_REFLECT_101
    )
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    with pytest.raises(ValueError, match="too small"):
        convolve(torch.rand(1, 3, 5, 5), gaussian_kernel(11, 1.0))


def test_blur_degradations_remove_fine_detail():
    # White noise: a blur that averages n pixels divides its std by about sqrt(n).
    noise = 0.5 + 0.2 * (torch.rand(1, 3, 96, 96, generator=torch.Generator().manual_seed(0)) - 0.5)
    gen = np.random.default_rng(0)
    expected = {  # sqrt(sum of squared kernel weights): the std factor for white noise
        GaussianBlur(sigma=2.0): 1 / (2 * math.sqrt(math.pi) * 2.0),
        MotionBlur(length=9.0): None,
    }
    for blur, factor in expected.items():
        out = blur(noise, gen)
        ratio = float(out.std()) / float(noise.std())
        assert out.shape == noise.shape and abs(float(out.mean()) - 0.5) < 0.005
        if factor is not None:
            assert abs(ratio - factor) < 0.02
        else:
            assert 0.25 < ratio < 0.45  # a 9-px line averages about 9 pixels
    aniso = GaussianBlur(sigma=(1.5, 3.0), anisotropic=True)(noise, gen)
    assert float(aniso.std()) < 0.2 * float(noise.std())


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_downscales_sizes_and_reference_values(scale):
    image = torch.rand(1, 3, 24, 36, generator=torch.Generator().manual_seed(scale))
    lr = BicubicDownscale(scale=scale)(image, np.random.default_rng(0))
    assert lr.shape == (1, 3, 24 // scale, 36 // scale)
    ref = torch.round(imresize(image, scale=1 / scale).clamp(0, 1) * 255) / 255
    assert torch.equal(lr, ref)
    assert torch.equal(lr * 255, torch.round(lr * 255))  # 8-bit levels
    area = AreaDownscale(scale=scale)(image, np.random.default_rng(0))
    torch.testing.assert_close(area, F.avg_pool2d(image, scale))


def test_gaussian_noise_has_the_requested_sigma():
    gray = torch.full((1, 3, 256, 256), 0.5)
    out = GaussianNoise(sigma=0.05)(gray, np.random.default_rng(0))
    assert abs(float((out - gray).std()) - 0.05) < 0.001
    assert abs(float(out.mean()) - 0.5) < 0.001
    # Colour noise is independent across channels; gray noise is the same in all channels.
    diff = (out - gray)[0].flatten(1)
    assert abs(float(torch.corrcoef(diff)[0, 1])) < 0.02
    mono = GaussianNoise(sigma=0.05, gray_probability=1.0)(gray, np.random.default_rng(0)) - gray
    assert torch.equal(mono[:, 0], mono[:, 1]) and torch.equal(mono[:, 1], mono[:, 2])
    # A sigma range gives sigmas inside it; unclipped noise leaves [0, 1].
    stds = [
        float((GaussianNoise(sigma=(0.02, 0.08))(gray, np.random.default_rng(s)) - gray).std())
        for s in range(8)
    ]
    assert 0.019 < min(stds) and max(stds) < 0.081 and max(stds) - min(stds) > 0.01
    wild = GaussianNoise(sigma=0.3, clip=False)(gray, np.random.default_rng(0))
    assert float(wild.max()) > 1.0


def test_poisson_noise_variance_follows_the_level():
    gen = np.random.default_rng(1)
    for level in (0.2, 0.8):
        flat = torch.full((1, 3, 128, 128), level)
        out = PoissonNoise(peak=100.0)(flat, gen)
        assert abs(float(out.var()) / (level / 100.0) - 1) < 0.05
        assert abs(float(out.mean()) - level) < 0.005


def test_jpeg_adds_blocking_but_keeps_the_mean(photo):
    low = jpeg_roundtrip(photo, 10)
    high = jpeg_roundtrip(photo, 95)
    err_low, err_high = float((low - photo).abs().mean()), float((high - photo).abs().mean())
    assert err_low > 3 * err_high > 0
    assert abs(float(low.mean()) - float(photo.mean())) < 2 / 255
    # Blocking: jumps between 8x8 blocks exceed jumps inside blocks.
    jumps = (low - photo).diff(dim=-1).abs().mean(dim=(0, 1, 2))  # between columns c and c+1
    across = jumps[7::8].mean()
    inside = torch.cat([jumps[c::8] for c in range(7)]).mean()
    assert float(across) > 1.5 * float(inside)
    out = JpegCompression(quality=(20, 40))(photo, np.random.default_rng(0))
    assert out.shape == photo.shape and torch.equal(out * 255, torch.round(out * 255))


def test_tone_degradations_wrap_aging(photo):
    gray = Grayscale()(photo, np.random.default_rng(0))
    assert torch.equal(gray[:, 0], gray[:, 2])
    torch.testing.assert_close(gray[:, :1], rgb_to_gray(photo))
    torch.testing.assert_close(
        Sepia(strength=0.7)(photo, np.random.default_rng(0)), aging.sepia(photo, strength=0.7)
    )
    torch.testing.assert_close(
        Fade(amount=0.4)(photo, np.random.default_rng(0)), aging.fade(photo, amount=0.4)
    )
    grain = FilmGrain(sigma=0.03, size=0.0)(
        torch.full((1, 3, 64, 64), 0.5), np.random.default_rng(0)
    )
    assert abs(float(grain.std()) - 0.03) < 0.003
    for step in (Sepia(), Fade(), FilmGrain(), AgePhoto()):
        a = step(photo, np.random.default_rng(7))
        b = step(photo, np.random.default_rng(7))
        assert torch.equal(a, b) and not torch.equal(a, photo)
    with pytest.raises(ValueError, match="one image"):
        Sepia()(photo.expand(2, -1, -1, -1), np.random.default_rng(0))


def test_combinators_are_seeded_and_respect_probabilities(photo):
    noise = GaussianNoise(sigma=0.05)
    assert torch.equal(RandomApply(noise, p=0.0)(photo, np.random.default_rng(0)), photo)
    assert not torch.equal(RandomApply(noise, p=1.0)(photo, np.random.default_rng(0)), photo)
    always_first = RandomChoice([Identity(), noise], weights=[1.0, 0.0])
    assert torch.equal(always_first(photo, np.random.default_rng(3)), photo)
    gen = np.random.default_rng(0)
    applied = sum(not torch.equal(RandomApply(noise, p=0.3)(photo, gen), photo) for _ in range(400))
    assert 90 < applied < 150  # expected 120
    chain = Compose([GaussianBlur(sigma=1.0), noise, JpegCompression(quality=50)])
    a = chain(photo, torch.Generator().manual_seed(4))
    b = chain(photo, torch.Generator().manual_seed(4))
    c = chain(photo, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, c)
    with pytest.raises(ValueError):
        RandomChoice([noise], weights=[1.0, 2.0])

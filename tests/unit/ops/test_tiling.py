"""Tiling: plans cover the image, blending is exact for local operators, memory stays per tile."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import restora.ops.tiling as tiling
from restora.ops.tiling import choose_tile_size, feather_weights, plan_tiles, tiled_apply

TOLERANCE = 1.0 / 255.0


def gaussian_blur_9x9(image: torch.Tensor) -> torch.Tensor:
    """A local operator with receptive radius 4 (zero padding at the tile border)."""
    x = torch.arange(9, dtype=torch.float32) - 4
    kernel_1d = torch.exp(-(x**2) / (2 * 2.0**2))
    kernel_1d /= kernel_1d.sum()
    kernel = (kernel_1d[:, None] * kernel_1d[None, :]).expand(image.shape[1], 1, 9, 9)
    return F.conv2d(image, kernel.contiguous(), padding=4, groups=image.shape[1])


def bilinear_x2(image: torch.Tensor) -> torch.Tensor:
    return F.interpolate(image, scale_factor=2, mode="bilinear", align_corners=False)


def nearest_x2(image: torch.Tensor) -> torch.Tensor:
    return F.interpolate(image, scale_factor=2, mode="nearest")


@pytest.fixture
def noise_image(rng: torch.Generator) -> torch.Tensor:
    """A (1, 3, 157, 203) image with odd sides and strong high-frequency content."""
    return torch.rand(1, 3, 157, 203, generator=rng)


@pytest.mark.parametrize(("tile", "overlap"), [(64, 32), (48, 16), (100, 20)])
def test_blur_tiled_equals_untiled(noise_image, tile, overlap):
    expected = gaussian_blur_9x9(noise_image)
    got = tiled_apply(gaussian_blur_9x9, noise_image, tile=tile, overlap=overlap)
    assert len(plan_tiles(157, 203, tile=tile, overlap=overlap)) > 4
    diff = float((got - expected).abs().max())
    assert diff < TOLERANCE, f"max abs diff {diff:.3g}"
    assert diff < 1e-5  # measured ~1e-7: only float rounding remains


@pytest.mark.parametrize("upscale", [bilinear_x2, nearest_x2])
def test_x2_upscale_tiled_equals_untiled(noise_image, upscale):
    expected = upscale(noise_image)
    got = tiled_apply(upscale, noise_image, tile=64, overlap=16, scale=2)
    assert got.shape == (1, 3, 314, 406)
    diff = float((got - expected).abs().max())
    assert diff < TOLERANCE, f"max abs diff {diff:.3g}"
    assert diff < 1e-5


def test_without_margin_blending_would_not_be_exact(noise_image):
    """The zero-weight margin matters: with overlap 8 the radius-4 blur leaks edge errors."""
    expected = gaussian_blur_9x9(noise_image)
    got = tiled_apply(gaussian_blur_9x9, noise_image, tile=40, overlap=8)
    assert float((got - expected).abs().max()) > 1e-3


def test_image_smaller_than_tile_calls_fn_once(smooth_image):
    calls = []

    def fn(x):
        calls.append(tuple(x.shape))
        return gaussian_blur_9x9(x)

    got = tiled_apply(fn, smooth_image, tile=128, overlap=32)
    assert calls == [(1, 3, 64, 80)]
    assert torch.equal(got, gaussian_blur_9x9(smooth_image))


def test_extra_tensor_is_tiled_alongside(noise_image, rng):
    mask = (torch.rand(1, 1, 157, 203, generator=rng) > 0.7).float()
    seen = []

    def fn(image, tile_mask):
        assert image.shape[-2:] == tile_mask.shape[-2:]
        seen.append(tile_mask.sum())
        return gaussian_blur_9x9(image) * (1 - tile_mask) + gaussian_blur_9x9(tile_mask) * tile_mask

    expected = fn(noise_image, mask)
    seen.clear()
    got = tiled_apply(fn, noise_image, tile=64, overlap=32, extra=mask)
    assert len(seen) == len(plan_tiles(157, 203, tile=64, overlap=32))
    assert float((got - expected).abs().max()) < TOLERANCE


def test_progress_called_once_per_tile(noise_image):
    events = []
    tiled_apply(
        lambda x: x, noise_image, tile=64, overlap=16, progress=lambda d, t: events.append((d, t))
    )
    total = len(plan_tiles(157, 203, tile=64, overlap=16))
    assert events == [(i, total) for i in range(1, total + 1)]


def test_out_channels_can_differ_and_is_checked(noise_image):
    gray = tiled_apply(
        lambda x: x.mean(1, keepdim=True), noise_image, tile=64, overlap=16, out_channels=1
    )
    assert gray.shape == (1, 1, 157, 203)
    assert torch.allclose(gray, noise_image.mean(1, keepdim=True), atol=1e-6)
    with pytest.raises(ValueError, match="out_channels"):
        tiled_apply(lambda x: x, noise_image, tile=64, overlap=16, out_channels=1)


def test_wrong_tile_output_size_raises(noise_image):
    with pytest.raises(ValueError, match="expected"):
        tiled_apply(lambda x: x[..., :-1, :], noise_image, tile=64, overlap=16)
    with pytest.raises(ValueError, match="expected"):
        tiled_apply(nearest_x2, noise_image, tile=64, overlap=16, scale=1)


def test_extra_size_mismatch_raises(noise_image):
    with pytest.raises(ValueError, match="extra"):
        tiled_apply(lambda x, m: x, noise_image, tile=64, extra=torch.zeros(1, 1, 10, 10))


def test_weights_are_never_full_size(noise_image, monkeypatch):
    """Memory stays flat: every weight map built is at most one output tile."""
    sizes = []
    original = tiling.feather_weights

    def recording(height, width, **kwargs):
        sizes.append((height, width))
        return original(height, width, **kwargs)

    monkeypatch.setattr(tiling, "feather_weights", recording)
    tiled_apply(nearest_x2, noise_image, tile=64, overlap=16, scale=2)
    assert sizes and all(h <= 128 and w <= 128 for h, w in sizes)


@pytest.mark.parametrize(
    ("height", "width", "tile", "overlap"),
    [(157, 203, 64, 32), (64, 64, 64, 16), (65, 300, 64, 0), (1000, 7, 128, 48), (5, 5, 3, 1)],
)
def test_plan_covers_image_with_partitioning_cores(height, width, tile, overlap):
    tiles = plan_tiles(height, width, tile=tile, overlap=overlap)
    count = torch.zeros(height, width, dtype=torch.int32)
    for t in tiles:
        assert 0 <= t.y0 < t.y1 <= height and 0 <= t.x0 < t.x1 <= width
        assert t.height <= tile and t.width <= tile
        assert t.y0 <= t.core_y0 < t.core_y1 <= t.y1 and t.x0 <= t.core_x0 < t.core_x1 <= t.x1
        count[t.core_y0 : t.core_y1, t.core_x0 : t.core_x1] += 1
        for shared in (t.overlap_top, t.overlap_bottom, t.overlap_left, t.overlap_right):
            assert shared == 0 or shared >= overlap
    assert bool((count == 1).all())


def test_plan_rejects_bad_arguments():
    with pytest.raises(ValueError):
        plan_tiles(100, 100, tile=32, overlap=32)
    with pytest.raises(ValueError):
        plan_tiles(0, 100, tile=32, overlap=8)


def test_feather_weights_complementary_and_positive_at_borders():
    left = feather_weights(1, 40, right=16)[0]
    right = feather_weights(1, 40, left=16)[0]
    band_sum = left[24:] + right[:16]
    assert torch.allclose(band_sum, torch.ones(16))
    assert left[0] == 1 and right[-1] == 1  # image borders
    assert left[-4:].eq(0).all() and right[:4].eq(0).all()  # outer quarter of the band ignored
    corner = feather_weights(20, 30, bottom=8, right=8)
    assert corner[0, 0] == 1 and bool((corner >= 0).all()) and bool((corner <= 1).all())


def test_choose_tile_size_respects_budget():
    assert (
        choose_tile_size(512, 512, bytes_per_pixel=100, budget_bytes=512 * 512 * 100, overlap=32)
        is None
    )
    budget = 256 * 2**20
    for height, width, bpp in [(4000, 3000, 400.0), (2048, 2048, 4096.0), (300, 50_000, 1000.0)]:
        side = choose_tile_size(height, width, bytes_per_pixel=bpp, budget_bytes=budget, overlap=32)
        assert side is not None and side % 8 == 0 and side >= 64
        assert min(side, height) * min(side, width) * bpp <= budget
        # the next multiple of 8 would not fit: the choice is the largest
        bigger = side + 8
        assert min(bigger, height) * min(bigger, width) * bpp > budget
    with pytest.raises(ValueError, match="too small"):
        choose_tile_size(4000, 3000, bytes_per_pixel=1e6, budget_bytes=2**20, overlap=32)


def test_choose_tile_size_feeds_tiled_apply(noise_image):
    side = choose_tile_size(
        157, 203, bytes_per_pixel=64, budget_bytes=64 * 80 * 80, overlap=16, minimum=32
    )
    assert side == 80
    got = tiled_apply(gaussian_blur_9x9, noise_image, tile=side, overlap=16)
    assert float((got - gaussian_blur_9x9(noise_image)).abs().max()) < TOLERANCE


def phase_sensitive(image: torch.Tensor) -> torch.Tensor:
    """A local operator that is only shift-equivariant for even shifts (2x2 blocks -> means)."""
    mean = F.avg_pool2d(F.pad(image, (0, image.shape[-1] % 2, 0, image.shape[-2] % 2)), 2)
    up = F.interpolate(mean, scale_factor=2, mode="nearest")
    return up[..., : image.shape[-2], : image.shape[-1]]


@pytest.mark.parametrize(("tile", "overlap", "align"), [(64, 16, 8), (50, 12, 4), (33, 8, 2)])
def test_aligned_plan_starts_on_multiples_and_keeps_the_overlap(tile, overlap, align):
    for size in (157, 203, 64, 300):
        segments = tiling._axis_segments(size, tile, overlap, align)
        starts = [s[0] for s in segments]
        ends = [s[1] for s in segments]
        assert all(s % align == 0 for s in starts) and starts[0] == 0 and ends[-1] == size
        assert all(e - s <= tile + align - 1 for s, e in zip(starts, ends, strict=True))
        assert all(ends[i] - starts[i + 1] >= overlap for i in range(len(starts) - 1))


def test_align_makes_a_strided_operator_tile_exactly(noise_image):
    expected = phase_sensitive(noise_image)
    aligned = tiled_apply(phase_sensitive, noise_image, tile=48, overlap=16, align=2)
    assert float((aligned - expected).abs().max()) < 1e-5
    unaligned = tiled_apply(phase_sensitive, noise_image, tile=48, overlap=16)
    assert float((unaligned - expected).abs().max()) > 0.1  # odd tile starts change the blocks


def test_align_too_large_for_the_tile_raises():
    with pytest.raises(ValueError, match="too small"):
        plan_tiles(300, 300, tile=40, overlap=32, align=16)

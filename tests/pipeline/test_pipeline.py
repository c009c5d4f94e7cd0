"""The pipeline end to end on tensors: each stage does what it says, and only that."""

import pytest
import torch

import restora
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec


def test_user_mask_is_filled_and_known_pixels_kept(photo, scratched):
    damaged, mask = scratched
    out = restora.restore(damaged, mask=mask, stages=["inpaint"], inpaint={"dilate": 0})
    hole = mask.expand_as(photo) > 0
    before = (damaged - photo).abs()[hole].mean()
    after = (out.image - photo).abs()[hole].mean()
    assert after < 0.25 * before
    assert torch.equal(out.image[~hole], damaged[~hole])
    assert out.record("inpaint").ran and out.mask_source == "user"


def test_full_pipeline_detects_and_repairs_scratches(photo, scratched):
    damaged, mask = scratched
    out = restora.restore(damaged)
    assert [r.stage for r in out.records] == list(PipelineSpec().stages)
    found = out.mask > 0.5
    recall = float((found & (mask > 0)).sum() / (mask > 0).sum())
    assert recall > 0.6, recall
    hole = mask.expand_as(photo) > 0
    assert (out.image - photo).abs()[hole].mean() < 0.5 * (damaged - photo).abs()[hole].mean()


def test_clean_photo_is_left_unchanged_by_denoise(photo):
    out = restora.restore(photo, stages=["analyze", "denoise"])
    record = out.record("denoise")
    assert not record.ran and "below the threshold" in record.notes[0]
    assert torch.equal(out.image, photo)


def test_noisy_photo_is_denoised(photo):
    noisy = (
        photo + torch.randn(photo.shape, generator=torch.Generator().manual_seed(1)) * 20 / 255
    ).clamp(0, 1)
    out = restora.restore(noisy, stages=["analyze", "denoise"])
    assert out.record("denoise").ran
    assert 10 < out.analysis.noise_sigma < 30
    assert (out.image - photo).pow(2).mean() < 0.5 * (noisy - photo).pow(2).mean()


@pytest.fixture(scope="module")
def noisy_large(photo):
    """A (1, 3, 480, 640) photo with AWGN sigma 20/255 (seeded)."""
    big = torch.nn.functional.interpolate(photo, size=(480, 640), mode="bilinear")
    noise = torch.randn(big.shape, generator=torch.Generator().manual_seed(2)) * 20 / 255
    return big, (big + noise).clamp(0, 1)


def test_default_denoiser_is_restoras_network_and_beats_nlm(noisy_large):
    clean, noisy = noisy_large
    net = restora.restore(noisy, stages=["analyze", "denoise"])
    nlm = restora.restore(noisy, stages=["analyze", "denoise"], denoise={"method": "nlm"})
    assert (
        net.record("denoise").method == "restora"
        and "blind network" in net.record("denoise").notes[0]
    )

    def mse(x):
        return float((x - clean).pow(2).mean())

    assert mse(net.image) < 0.25 * mse(noisy)
    assert mse(net.image) < mse(nlm.image)


def test_restora_denoiser_tiled_equals_untiled(noisy_large):
    _, noisy = noisy_large
    whole = restora.restore(noisy, stages=["denoise"], denoise={"sigma": 20.0})
    tiled = restora.restore(noisy, stages=["denoise"], denoise={"sigma": 20.0}, tile=400)
    diff = float((whole.image - tiled.image).abs().max())
    assert diff < 1 / 255, diff


def test_monochrome_photo_stays_gray_and_strength_blends(noisy_large):
    _, noisy = noisy_large
    gray = noisy.mean(1, keepdim=True).expand(-1, 3, -1, -1).contiguous()
    out = restora.restore(gray, stages=["analyze", "denoise"])
    assert out.analysis.monochrome and "as monochrome" in out.record("denoise").notes[0]
    assert torch.equal(out.image[:, 0], out.image[:, 1])
    assert torch.equal(out.image[:, 1], out.image[:, 2])
    half = restora.restore(gray, stages=["analyze", "denoise"], denoise={"strength": 0.5})
    assert torch.allclose(half.image, (gray + out.image) / 2, atol=1e-6)


def test_colorize_says_what_it_did(photo):
    gray = photo.mean(1, keepdim=True).expand(-1, 3, -1, -1).contiguous()
    out = restora.restore(gray, stages=["analyze", "colorize"])
    assert out.analysis.tone == "monochrome" and out.analysis.monochrome
    record = out.record("colorize")
    assert record.ran and "colorized by restora's colorizer" in record.notes[0]
    assert not torch.equal(out.image, gray)
    kept = restora.restore(gray, stages=["analyze", "colorize"], keep_monochrome=True)
    assert "kept monochrome" in kept.record("colorize").notes[0]
    assert torch.equal(kept.image, gray)
    colour = restora.restore(photo, stages=["analyze", "colorize"])
    assert "not re-colorized" in colour.record("colorize").notes[0]


def test_upscale_scales_image_and_alpha(photo):
    alpha = torch.linspace(0, 1, photo.shape[-1]).expand(1, 1, *photo.shape[-2:]).contiguous()
    r = Restoration.start(photo, alpha=alpha)
    Pipeline(PipelineSpec.from_dict({"stages": ["upscale"], "upscale": {"scale": 2}})).run(r)
    assert r.image.shape[-2:] == (384, 512) and r.alpha.shape[-2:] == (384, 512)
    assert 0 <= float(r.image.min()) and float(r.image.max()) <= 1


@pytest.mark.parametrize(
    "stages, options",
    [
        (["denoise"], {"denoise": {"sigma": 20.0, "method": "nlm"}}),
        (["upscale"], {"upscale": {"scale": 2}}),
        (["upscale"], {"upscale": {"scale": 3, "method": "bicubic"}}),
    ],
)
def test_tiled_equals_untiled(scratched, stages, options):
    damaged = torch.nn.functional.interpolate(scratched[0], scale_factor=1.5, mode="bilinear")
    whole = restora.restore(damaged, stages=stages, **options)
    tiled = restora.restore(damaged, stages=stages, tile=96, **options)
    diff = (whole.image - tiled.image).abs().max()
    assert diff < 1 / 255, float(diff)


def test_detection_ignores_tiles_and_shrinks_to_fit_the_budget(photo):
    """The classical detector is image-wide (no tiles, so a forced tile changes nothing); over
    the memory budget it runs on a smaller copy and still finds the scratches."""
    big = torch.nn.functional.interpolate(photo, scale_factor=5, mode="bilinear")  # 960x1280
    truth = torch.zeros(1, 1, *big.shape[-2:], dtype=torch.bool)
    truth[..., 100:850, 300:303] = True
    truth[..., 50:900, 750:754] = True
    truth[..., 200:700, 1100:1102] = True
    damaged = torch.where(truth, torch.full_like(big, 0.97), big)
    whole = restora.restore(damaged, stages=["detect_damage"], detect_method="classical")
    tiled = restora.restore(damaged, stages=["detect_damage"], detect_method="classical", tile=128)
    assert torch.equal(whole.mask, tiled.mask)
    # 1.2 MP needs ~100 MB; with 64 MB it runs at 0.8x size
    small = restora.restore(
        damaged, stages=["detect_damage"], detect_method="classical", memory_budget_mb=64
    )
    assert "to fit the memory budget" in small.record("detect_damage").notes[0]
    assert small.mask.shape == whole.mask.shape
    for found in (whole.mask > 0, small.mask > 0):
        recall = float((found & truth).sum() / truth.sum())
        precision = float((found & truth).sum() / found.sum())
        assert recall > 0.8 and precision > 0.5, (recall, precision)


def test_default_x4_upscaler_is_restoras_network_and_tiles_exactly(photo):
    small = photo[..., :160, :224]  # tiles of 128 (the minimum: 4x the 32 px overlap) -> 2x2
    whole = restora.restore(small, stages=["upscale"], upscale={"scale": 4})
    record = whole.record("upscale")
    assert record.method == "restora" and "restora SR x4" in record.notes[0]
    tiled = restora.restore(small, stages=["upscale"], upscale={"scale": 4}, tile=64)
    assert "tiles of" in tiled.record("upscale").notes[-1]
    diff = float((whole.image - tiled.image).abs().max())
    assert diff < 1 / 255, diff
    lanczos = restora.restore(small, stages=["upscale"], upscale={"scale": 4, "method": "lanczos"})
    assert whole.image.shape == lanczos.image.shape == (1, 3, 640, 896)


def test_upscale_without_shipped_weights_falls_back_or_fails_clearly(photo):
    from restora.core.errors import RestoraError

    out = restora.restore(photo, stages=["upscale"], upscale={"scale": 3})
    record = out.record("upscale")
    assert record.method == "lanczos" and "sr.x3 weights are not installed" in record.notes[0]
    assert out.image.shape[-2:] == (576, 768)
    with pytest.raises(RestoraError, match="sr.x3 weights are not installed"):
        restora.restore(photo, stages=["upscale"], upscale={"scale": 3, "method": "restora"})


def test_crop_around_mask_equals_whole_image_inpainting(scratched):
    from restora.ops.inpaint import inpaint_classical
    from restora.pipeline.strategies import crop_around_mask

    damaged, mask = scratched
    big = torch.nn.functional.interpolate(damaged, scale_factor=2, mode="bilinear")
    big_mask = torch.nn.functional.interpolate(mask, scale_factor=2, mode="nearest")
    whole = inpaint_classical(big, big_mask, method="telea")
    cropped = crop_around_mask(
        lambda i, m: inpaint_classical(i, m, method="telea"), big, big_mask, cell=128, margin=48
    )
    assert (whole - cropped).abs().max() < 1 / 255


def test_crop_around_mask_cells_and_components_agree_and_keep_known_pixels(scratched):
    from restora.ops.inpaint import inpaint_classical
    from restora.pipeline.strategies import crop_around_mask

    damaged, mask = scratched
    big = torch.nn.functional.interpolate(damaged, scale_factor=2, mode="bilinear")
    big_mask = torch.nn.functional.interpolate(mask, scale_factor=2, mode="nearest")
    calls = {"components": [], "cells": []}
    outs = {}
    for regions, seen in calls.items():

        def telea(image, hole, seen=seen):
            seen.append(image.shape[-2] * image.shape[-1])
            return inpaint_classical(image, hole, method="telea")

        outs[regions] = crop_around_mask(telea, big, big_mask, cell=96, margin=32, regions=regions)
        known = (big_mask < 0.5).expand_as(big)
        assert torch.equal(outs[regions][known], big[known])
    assert (outs["components"] - outs["cells"]).abs().max() < 1 / 255
    assert sum(calls["components"]) < sum(calls["cells"])  # less area around thin marks
    with pytest.raises(ValueError, match="regions"):
        crop_around_mask(telea, big, big_mask, cell=96, margin=32, regions="tiles")

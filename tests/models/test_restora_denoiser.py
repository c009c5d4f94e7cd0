"""restora's own denoiser: shapes at odd sizes, gradients, padding, save/load, shipped weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.models import create_model, load_model, save_model
from restora.models.denoise.restora_denoiser import RestoraDenoiser

# Lower bounds for the shipped weights (measured values in the model card; retrained weights
# must not fall below them).
MIN_CROP_PSNR_25 = 28.5  # measured 28.79 dB (weights of step 19000)
MIN_CLEAN_PSNR = 37.0  # measured 39.99 dB


def _tiny(**overrides: object) -> RestoraDenoiser:
    torch.manual_seed(0)
    net = create_model("restora_denoiser.blind_color", width=4, blocks=[1, 1, 1], **overrides)
    for p in net.parameters():  # the tail starts at zero (identity map): make it non-trivial
        torch.nn.init.normal_(p, std=0.1)
    return net


@pytest.mark.parametrize(("h", "w"), [(1, 1), (5, 3), (37, 29), (16, 24)])
def test_forward_keeps_odd_sizes(h, w):
    net = _tiny().eval()
    x = torch.rand(2, 3, h, w)
    with torch.no_grad():
        assert net(x).shape == (2, 3, h, w)


def test_backward_reaches_every_parameter():
    net = _tiny().train()
    x = torch.rand(2, 3, 19, 23, requires_grad=True)
    net(x).square().mean().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    for name, p in net.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_fresh_model_is_the_identity():
    net = create_model("restora_denoiser.blind_color", width=4, blocks=[1, 1]).eval()
    x = torch.rand(1, 3, 13, 10) + 0.1 * torch.randn(1, 3, 13, 10)
    with torch.no_grad():
        torch.testing.assert_close(net(x), x)


def test_odd_size_equals_manual_reflect_pad_then_crop():
    net = _tiny().eval()
    x = torch.rand(1, 3, 13, 10)
    padded = torch.nn.functional.pad(x, (0, 6, 0, 3), mode="reflect")  # to 16 x 16
    with torch.no_grad():
        torch.testing.assert_close(net(x), net(padded)[..., :13, :10])


def test_gray_channel_count_and_descriptor():
    net = _tiny(channels=1).eval()
    assert net.multiple_of == 8
    out = net.describe()(torch.rand(1, 1, 9, 11))
    assert out.shape == (1, 1, 9, 11) and 0 <= out.min() and out.max() <= 1


def test_bad_options_raise():
    with pytest.raises(ValueError):
        RestoraDenoiser(blocks=[])
    with pytest.raises(ValueError):
        RestoraDenoiser(width=0)


def test_save_load_round_trip_is_exact(tmp_path):
    net = _tiny().eval()
    save_model(net, tmp_path / "m")
    again = load_model(tmp_path / "m")
    assert isinstance(again, RestoraDenoiser) and again.config == net.config
    x = torch.rand(1, 3, 21, 17)
    with torch.no_grad():
        torch.testing.assert_close(again(x), net(x), rtol=0, atol=0)


def test_default_variant_size():
    net = create_model("restora_denoiser.blind_color")
    assert net.config == {"channels": 3, "width": 32, "blocks": [2, 3, 2]}
    assert 1.1e6 < sum(p.numel() for p in net.parameters()) < 1.3e6


@pytest.mark.golden
def test_shipped_weights_denoise_a_cbsd68_crop(shared):
    """The committed weights (see restora/weights/denoise/.../MODEL_CARD.md) on a 128x128 crop
    of the first CBSD68 image: AWGN sigma 25 (seed 0, not clipped), output clipped."""
    from restora.io import read_image
    from restora.metrics import psnr
    from restora.models import catalogue

    folder = shared / "data" / "ffdnet_testsets" / "CBSD68"
    first = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".png")[0]
    clean = read_image(first).image[..., 96:224, 160:288].double()
    noise = torch.from_numpy(np.random.default_rng(0).standard_normal((3, 128, 128)))[None]
    noisy = clean + 25 / 255 * noise
    model = catalogue.load("denoise.blind_color").model
    with torch.inference_mode():
        out = model(noisy.float()).double().clamp(0, 1)
        kept = model(clean.float()).double().clamp(0, 1)
    assert float(psnr(noisy.clamp(0, 1), clean)[0]) < 21.0
    assert float(psnr(out, clean)[0]) > MIN_CROP_PSNR_25
    assert float(psnr(kept, clean)[0]) > MIN_CLEAN_PSNR  # a clean photo stays (almost) as it is

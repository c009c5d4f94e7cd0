"""Residual blocks, upsamplers, dilated block, ASPP, spectral norm helper, padding."""

from __future__ import annotations

import pytest
import torch

from restora.nn import (
    ASPP,
    ConvNormAct,
    DilatedConvBlock,
    PixelShuffleUpsampler,
    ResidualBlock,
    ResizeConvUpsampler,
    TransposedConvUpsampler,
    apply_spectral_norm,
    crop_to,
    make_norm,
    make_upsampler,
    pad_to_multiple,
    spectral_norm,
)


def test_residual_block_is_identity_plus_scaled_body():
    torch.manual_seed(0)
    block = ResidualBlock(4, res_scale=0.1)
    x = torch.randn(1, 4, 7, 5)
    torch.testing.assert_close(block(x), x + 0.1 * block.body(x))
    assert [k for k in block.state_dict()] == [
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upsamplers_scale_odd_sizes_exactly(scale):
    x = torch.rand(1, 6, 7, 5)
    target = (1, 6, 7 * scale, 5 * scale)
    assert PixelShuffleUpsampler(6, scale)(x).shape == target
    assert TransposedConvUpsampler(6, 6, scale)(x).shape == target
    assert TransposedConvUpsampler(6, 6, scale, kernel_size=9)(x).shape == target
    assert ResizeConvUpsampler(6, 6, scale, mode="bilinear")(x).shape == target
    for kind in ("pixel_shuffle", "transposed", "resize_conv"):
        assert make_upsampler(kind, 6, 6, scale)(x).shape == target


def test_pixel_shuffle_layout_follows_edsr():
    x4 = PixelShuffleUpsampler(8, 4)
    assert [k for k in x4.state_dict()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert x4[0].out_channels == 32
    assert PixelShuffleUpsampler(8, 3)[0].out_channels == 72
    with pytest.raises(ValueError):
        TransposedConvUpsampler(4, 4, 1, kernel_size=4)
    with pytest.raises(ValueError, match="pixel_shuffle keeps"):
        make_upsampler("pixel_shuffle", 4, 3, 2)


def test_dilated_block_receptive_field():
    block = DilatedConvBlock(1, dilations=(1, 2, 4))
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.fill_(0.1)
                m.bias.fill_(0.1)
    x = torch.zeros(1, 1, 41, 41, requires_grad=True)
    block(x)[0, 0, 20, 20].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    assert rows.max() - rows.min() + 1 == 1 + 2 * (1 + 2 + 4)


def test_aspp_shapes_branches_and_batch_one_training():
    aspp = ASPP(8, 6, rates=(1, 2, 3))
    assert len(aspp.branches) == 4 and aspp.pooling is not None
    aspp.train()
    y = aspp(torch.rand(1, 8, 5, 7))  # pooling branch has no BatchNorm: works for batch 1
    assert y.shape == (1, 6, 5, 7)
    no_pool = ASPP(8, 6, rates=(2,), image_pooling=False, norm="group")
    assert no_pool(torch.rand(2, 8, 5, 7)).shape == (2, 6, 5, 7)


def test_aspp_pooling_branch_sees_the_global_mean():
    aspp = ASPP(2, 2, rates=(), norm="none").eval()
    x = torch.rand(1, 2, 6, 6)
    shifted = x.clone()
    shifted[..., 0, 0] += 5.0  # far pixel: changes only the global mean seen by every output
    assert not torch.allclose(aspp(x)[..., 5, 5], aspp(shifted)[..., 5, 5])


def test_spectral_norm_helpers():
    torch.manual_seed(0)
    conv = spectral_norm(torch.nn.Conv2d(3, 8, 3))
    for _ in range(50):
        conv(torch.rand(1, 3, 5, 5))
    sigma = torch.linalg.matrix_norm(conv.weight.detach().reshape(8, -1), ord=2)
    assert sigma.item() == pytest.approx(1.0, abs=1e-3)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.ConvTranspose2d(4, 2, 2)
    )
    apply_spectral_norm(apply_spectral_norm(net))  # idempotent
    keys = set(net.state_dict())
    assert (
        "0.parametrizations.weight.original" in keys
        and "2.parametrizations.weight.original" in keys
    )


def test_pad_to_multiple_reflects_and_crops_back():
    x = torch.arange(15.0).view(1, 1, 3, 5)
    y, (h, w) = pad_to_multiple(x, multiple_of=4)
    assert y.shape == (1, 1, 4, 8) and (h, w) == (3, 5)
    # padded row 3 mirrors row 1 = [5..9]; padded columns 5, 6, 7 mirror columns 3, 2, 1
    assert torch.equal(y[0, 0, 3], torch.tensor([5.0, 6, 7, 8, 9, 8, 7, 6]))
    assert torch.equal(crop_to(y, h, w), x)


def test_pad_beyond_reflect_reach_continues_by_replication():
    x = torch.rand(1, 3, 2, 3)
    y, _ = pad_to_multiple(x, multiple_of=16)
    assert y.shape == (1, 3, 16, 16) and torch.equal(y[..., :2, :3], x)
    # one reflected row (= row 0), then that row replicated to the bottom
    assert torch.equal(y[..., 2:, :3], x[..., :1, :].expand(1, 3, 14, 3))
    big, _ = pad_to_multiple(torch.rand(1, 1, 5, 5), minimum=9, mode="constant")
    assert big.shape == (1, 1, 9, 9) and big[..., 5:, :].abs().sum() == 0


def test_conv_norm_act_and_norm_factory():
    block = ConvNormAct(3, 8, norm="batch", activation="prelu")
    assert block[0].bias is None and isinstance(block[1], torch.nn.BatchNorm2d)
    assert make_norm("group", 24).num_groups == 8
    with pytest.raises(ValueError, match="unknown norm"):
        make_norm("layer", 4)  # type: ignore[arg-type]

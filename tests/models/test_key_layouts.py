"""Architecture details that foreign checkpoints and papers fix: key names, widths, counts."""

from __future__ import annotations

import pytest
import torch

from restora.models import create_model
from restora.models.sr.mean_shift import DIV2K_RGB_MEAN


def _edsr_keys(num_blocks: int, upsampler_convs: int) -> list[str]:
    keys = ["sub_mean.weight", "sub_mean.bias", "head.0.weight", "head.0.bias"]
    for i in range(num_blocks):
        keys += [f"body.{i}.body.{j}.{p}" for j in (0, 2) for p in ("weight", "bias")]
    keys += [f"body.{num_blocks}.weight", f"body.{num_blocks}.bias"]
    keys += [f"tail.0.{2 * i}.{p}" for i in range(upsampler_convs) for p in ("weight", "bias")]
    return keys + ["tail.1.weight", "tail.1.bias", "add_mean.weight", "add_mean.bias"]


@pytest.mark.parametrize(("scale", "convs", "shuffle_out"), [(2, 1, 256), (3, 1, 576), (4, 2, 256)])
def test_edsr_baseline_matches_official_layout(scale, convs, shuffle_out):
    model = create_model(f"edsr.baseline_x{scale}")
    state = model.state_dict()
    assert list(state) == _edsr_keys(16, convs)
    assert state["tail.0.0.weight"].shape == (shuffle_out, 64, 3, 3)
    assert state["head.0.weight"].shape == (64, 3, 3, 3)
    torch.testing.assert_close(state["sub_mean.bias"], -255.0 * torch.tensor(DIV2K_RGB_MEAN))
    assert not any(p.requires_grad for p in model.sub_mean.parameters())


def test_edsr_mean_shift_round_trip_and_residual_scale():
    model = create_model("edsr.full_x2", width=8, num_blocks=2)
    x = torch.rand(1, 3, 5, 4)
    torch.testing.assert_close(model.add_mean(model.sub_mean(x)), x)
    assert all(block.res_scale == 0.1 for block in model.body[:2])


def test_dncnn_matches_official_layout():
    model = create_model("dncnn.s_gray")
    state = model.state_dict()
    expected = ["dncnn.0.weight", "dncnn.0.bias"]
    for k in range(15):
        conv, bn = 3 * k + 2, 3 * k + 3
        expected.append(f"dncnn.{conv}.weight")
        expected += [
            f"dncnn.{bn}.{p}"
            for p in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
        ]
    expected.append("dncnn.47.weight")
    assert list(state) == expected  # 93 tensors, as in the official file
    assert state["dncnn.0.weight"].shape == (64, 1, 3, 3) and state["dncnn.47.weight"].shape == (
        1,
        64,
        3,
        3,
    )
    bn = model.dncnn[3]
    assert (bn.eps, bn.momentum) == (1e-4, 0.95)
    assert (
        len([m for m in create_model("dncnn.b_color").modules() if isinstance(m, torch.nn.Conv2d)])
        == 20
    )
    x = torch.rand(1, 1, 9, 7)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x), x - model.dncnn(x))


def test_fsrcnn_parameter_count_matches_paper():
    model = create_model("fsrcnn.x3", channels=1)
    weights = [
        m.weight.numel()
        for m in model.modules()
        if isinstance(m, torch.nn.Conv2d | torch.nn.ConvTranspose2d)
    ]
    assert sum(weights) == 12464  # Dong et al. 2016: FSRCNN(56, 12, 4) has 12,464 weights
    assert model.deconv.kernel_size == (9, 9) and model.deconv.stride == (3, 3)


def test_espcn_layers():
    convs = [m for m in create_model("espcn.x3").modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs] == [
        (3, 64, 5),
        (64, 32, 3),
        (32, 27, 3),
    ]


def test_pix2pix_encoder_decoder_widths():
    g = create_model("pix2pix.unet256", width=8)  # width multiplier: 64 -> 8
    enc = [layer[0].out_channels for layer in g.encoder]
    dec = [layer[0].out_channels for layer in g.decoder]
    assert enc == [8, 16, 32, 64, 64, 64, 64, 64]  # C64-C128-C256-C512-C512-C512-C512-C512 / 8
    assert dec == [64, 64, 64, 64, 32, 16, 8]  # CD512-CD512-CD512-C512-C256-C128-C64 / 8
    dropouts = [isinstance(layer[2], torch.nn.Dropout) and layer[2].p == 0.5 for layer in g.decoder]
    assert dropouts == [True, True, True, False, False, False, False]
    has_bn = [isinstance(layer[1], torch.nn.BatchNorm2d) for layer in g.encoder]
    assert has_bn == [False, True, True, True, True, True, True, False]
    assert all(isinstance(layer[2], torch.nn.LeakyReLU) for layer in g.encoder)
    assert g.head[0].out_channels == 3 and isinstance(g.head[1], torch.nn.Sigmoid)


@pytest.mark.parametrize(("n_layers", "field"), [(1, 16), (3, 70), (5, 286)])
def test_patchgan_receptive_field(n_layers, field):
    torch.manual_seed(0)
    d = create_model("patchgan.70", width=2, n_layers=n_layers, in_channels=1).eval()
    x = torch.zeros(1, 1, 320, 320, requires_grad=True)
    logits = d(x)
    logits[0, 0, logits.shape[2] // 2, logits.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    cols = torch.nonzero(x.grad[0, 0].abs().sum(0)).flatten()
    assert rows.max() - rows.min() + 1 == field and cols.max() - cols.min() + 1 == field


def test_sn_patchgan_is_spectrally_normalized():
    d = create_model("patchgan.sn", width=4)
    keys = list(d.state_dict())
    convs = [m for m in d.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 5
    assert sum(k.endswith("parametrizations.weight.original") for k in keys) == 5
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules())


def test_pconv_unet_kernels():
    net = create_model("pconv_unet.base", width=4)
    assert [layer.conv.kernel_size[0] for layer in net.encoder] == [7, 5, 5, 3, 3, 3, 3, 3]
    assert [layer.conv.stride[0] for layer in net.encoder] == [2] * 8
    assert net.decoder[-1].conv.out_channels == 3

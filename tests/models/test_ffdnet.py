"""FFDNet architecture: sizes, the noise-level input in its forms, the descriptor."""

from __future__ import annotations

import pytest
import torch

from restora.models import create_model
from restora.models.denoise.ffdnet import FFDNet
from restora.ops.noise import estimate_noise_sigma


@pytest.fixture
def net() -> FFDNet:
    torch.manual_seed(0)
    return FFDNet(channels=3, width=8, depth=4).eval()


def test_registered_variants_have_the_released_sizes():
    gray, color = create_model("ffdnet.gray"), create_model("ffdnet.color")
    assert gray.config == {"channels": 1, "width": 64, "depth": 15}
    assert color.config == {"channels": 3, "width": 96, "depth": 12}
    assert gray.model[0].in_channels == 5 and color.model[0].in_channels == 13
    assert color.model[-1].out_channels == 12
    # parameters: first conv + (depth - 2) middle convs + last conv, all with bias
    assert sum(p.numel() for p in gray.parameters()) == (
        (5 * 9 + 1) * 64 + 13 * (64 * 9 + 1) * 64 + (64 * 9 + 1) * 4
    )


@pytest.mark.parametrize(("height", "width"), [(8, 6), (9, 7), (1, 1), (2, 5)])
def test_any_size_in_same_size_out(net, height, width):
    x = torch.rand(2, 3, height, width)
    with torch.no_grad():
        assert net(x, 0.1).shape == (2, 3, height, width)


def test_odd_sizes_replicate_the_last_row_and_column(net):
    x = torch.rand(1, 3, 9, 7)
    padded = torch.cat([x, x[..., -1:, :]], dim=-2)
    padded = torch.cat([padded, padded[..., -1:]], dim=-1)
    with torch.no_grad():
        torch.testing.assert_close(net(x, 0.1), net(padded, 0.1)[..., :9, :7])


def test_noise_level_forms_agree(net):
    x = torch.rand(2, 3, 10, 8)
    with torch.no_grad():
        scalar = net(x, 0.1)
        torch.testing.assert_close(net(x, torch.tensor([0.1, 0.1])), scalar)
        torch.testing.assert_close(net(x, torch.full((2, 1, 1, 1), 0.1)), scalar)
        torch.testing.assert_close(net(x, torch.full((2, 1, 10, 8), 0.1)), scalar)
        per_image = net(x, torch.tensor([0.1, 0.3]))
        torch.testing.assert_close(per_image[0], scalar[0])
        assert not torch.allclose(per_image[1], scalar[1])


def test_a_noise_map_acts_locally(net):
    x = torch.rand(1, 3, 32, 32)
    level = torch.full((1, 1, 32, 32), 0.05)
    level[..., :, 16:] = 0.3
    with torch.no_grad():
        low, mixed = net(x, 0.05), net(x, level)
    receptive = 2 * net.config["depth"]  # half-resolution radius, in full-resolution pixels
    left = slice(0, 16 - receptive - 2)
    torch.testing.assert_close(mixed[..., left], low[..., left])
    assert not torch.allclose(mixed[..., 20:], low[..., 20:])


def test_blind_use_estimates_the_level(net):
    gen = torch.Generator().manual_seed(0)
    x = (0.5 + 0.1 * torch.randn(1, 3, 48, 48, generator=gen)).clamp(0, 1)
    with torch.no_grad():
        torch.testing.assert_close(net(x), net(x, estimate_noise_sigma(x)))


def test_bad_noise_levels_raise(net):
    x = torch.rand(2, 3, 8, 8)
    with pytest.raises(ValueError, match="noise_level must be"):
        net(x, torch.tensor([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        net(x, torch.zeros(2, 3, 8, 8))
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        net.describe(noise_level=25.0)


def test_descriptor_fixed_level_clamps_and_keeps_the_mode(net):
    x = torch.rand(1, 3, 11, 9)
    descriptor = net.describe(noise_level=0.1)
    out = descriptor(x)
    with torch.no_grad():
        torch.testing.assert_close(out, net(x, 0.1).clamp(0, 1))
    assert not net.training
    net.train()
    descriptor(x)
    assert net.training  # the descriptor restores the mode it found


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    net = FFDNet(channels=1, width=4, depth=3).train()
    net(torch.rand(2, 1, 9, 6), torch.tensor([0.05, 0.2])).square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())

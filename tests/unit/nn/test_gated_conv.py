"""GatedConv2d: the formula phi(feature) * sigmoid(gating), dilation, spectral norm, gradcheck."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from restora.nn import GatedConv2d


@pytest.mark.parametrize(
    ("activation", "phi"), [("elu", F.elu), ("lrelu", lambda t: F.leaky_relu(t, 0.2))]
)
def test_equals_formula(activation, phi):
    torch.manual_seed(0)
    conv = GatedConv2d(3, 5, 3, dilation=2, activation=activation)
    x = torch.randn(2, 3, 11, 9)
    f = F.conv2d(x, conv.feature.weight, conv.feature.bias, padding=2, dilation=2)
    g = F.conv2d(x, conv.gating.weight, conv.gating.bias, padding=2, dilation=2)
    torch.testing.assert_close(conv(x), phi(f) * torch.sigmoid(g))


def test_same_padding_and_stride():
    assert GatedConv2d(3, 4, 5, dilation=3)(torch.rand(1, 3, 13, 10)).shape == (1, 4, 13, 10)
    assert GatedConv2d(3, 4, 3, 2)(torch.rand(1, 3, 13, 10)).shape == (1, 4, 7, 5)


def test_spectral_norm_option_bounds_the_weight():
    torch.manual_seed(0)
    conv = GatedConv2d(4, 6, 3, spectral_norm=True)
    for _ in range(30):  # power iterations run in train mode
        conv(torch.rand(1, 4, 8, 8))
    w = conv.feature.weight.detach().reshape(6, -1)
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, abs=1e-3)


def test_gradcheck_float64():
    torch.manual_seed(0)
    conv = GatedConv2d(2, 2, 3, dilation=2).double()
    x = torch.randn(1, 2, 6, 5, dtype=torch.float64, requires_grad=True)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in conv.named_parameters()}
    names = list(params)

    def fn(inp, *values):
        return torch.func.functional_call(conv, dict(zip(names, values, strict=True)), (inp,))

    assert torch.autograd.gradcheck(fn, (x, *params.values()))

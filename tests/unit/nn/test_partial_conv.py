"""PartialConv2d against the paper's formula: hand-computed numbers, a loop reference, gradcheck."""

from __future__ import annotations

import pytest
import torch

from restora.nn import PartialConv2d

# 4x4 input 1..16 (row-major); valid mask: 0 = hole at (0,0), (1,1), (1,2), (2,1).
X = torch.arange(1.0, 17.0).view(1, 1, 4, 4)
VALID = torch.tensor(
    [[0, 1, 1, 1], [1, 0, 0, 1], [1, 0, 1, 1], [1, 1, 1, 1]], dtype=torch.float32
).view(1, 1, 4, 4)


def _ones_conv(bias: float) -> PartialConv2d:
    conv = PartialConv2d(1, 1, 3, padding=1)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        conv.bias.fill_(bias)
    return conv


def test_hand_computed_example_kernel_of_ones():
    out, new_valid = _ones_conv(bias=0.5)(X, VALID)
    # Top-left output: window rows -1..1, cols -1..1 (zero padding counts as hole). Valid pixels
    # in it: (0,1)=2, (1,0)=5 -> sum(X*M) = 7, sum(M) = 2, sum(1) = 9 -> 7 * 9/2 + 0.5 = 32.
    assert out[0, 0, 0, 0].item() == pytest.approx(7 * 9 / 2 + 0.5)
    # Output (1,1): window rows 0..2, cols 0..2; valid: 2, 3, 5, 9, 11 -> sum 30, count 5.
    assert out[0, 0, 1, 1].item() == pytest.approx(30 * 9 / 5 + 0.5)
    # Output (3,3): window rows 2..4, cols 2..4 -> in-image pixels (2,2)=11, (2,3)=12,
    # (3,2)=15, (3,3)=16, all valid -> 54 * 9/4 + 0.5.
    assert out[0, 0, 3, 3].item() == pytest.approx(54 * 9 / 4 + 0.5)
    # Output (2,2): window rows 1..3, cols 1..3; holes (1,1), (1,2), (2,1); valid:
    # (1,3)=8, (2,2)=11, (2,3)=12, (3,1)=14, (3,2)=15, (3,3)=16 -> 76, count 6.
    assert out[0, 0, 2, 2].item() == pytest.approx(76 * 9 / 6 + 0.5)
    assert torch.equal(new_valid, torch.ones(1, 1, 4, 4))


def test_mask_update_rule_on_a_hand_made_hole():
    valid = torch.ones(1, 1, 5, 5)
    valid[0, 0, 0:3, 0:3] = 0  # a 3x3 hole in the corner
    out, new_valid = _ones_conv(bias=3.0)(torch.rand(1, 1, 5, 5), valid)
    expected = torch.ones(1, 1, 5, 5)
    expected[0, 0, 0:2, 0:2] = 0  # only these windows see no valid pixel
    assert torch.equal(new_valid, expected)
    # where the window is all hole the output is exactly 0 (bias included)
    assert torch.all(out[0, 0, 0:2, 0:2] == 0)
    assert torch.all(out[0, 0][expected[0, 0] == 1] != 0)


def _reference(conv: PartialConv2d, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Direct loop implementation of out = W^T(X*M) sum(1)/sum(M) + b (stride 1, zero padding)."""
    p = conv.padding[0]
    k = conv.kernel_size[0]
    xp = torch.nn.functional.pad(x, (p, p, p, p))
    mp = torch.nn.functional.pad(valid.expand_as(x), (p, p, p, p))
    b, _, h, w = x.shape
    out = torch.zeros(b, conv.out_channels, h, w, dtype=x.dtype)
    for n in range(b):
        for o in range(conv.out_channels):
            for i in range(h):
                for j in range(w):
                    xw = xp[n, :, i : i + k, j : j + k]
                    mw = mp[n, :, i : i + k, j : j + k]
                    count = float(mw.sum())
                    if count > 0:
                        value = (conv.weight[o] * xw * mw).sum() * (mw.numel() / count)
                        out[n, o, i, j] = value + conv.bias[o]
    return out


@pytest.mark.parametrize("per_channel", [False, True])
def test_matches_loop_reference_on_random_input(per_channel):
    torch.manual_seed(0)
    conv = PartialConv2d(2, 3, 3, padding=1)
    x = torch.randn(2, 2, 6, 5)
    valid = (torch.rand(2, 2 if per_channel else 1, 6, 5) > 0.6).float()
    out, new_valid = conv(x, valid)
    with torch.no_grad():
        expected = _reference(conv, x, valid)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    assert new_valid.shape[1] == (3 if per_channel else 1)


def test_strided_output_mask_and_rejects_bad_masks():
    conv = PartialConv2d(3, 4, 3, stride=2, padding=1)
    out, valid = conv(torch.rand(1, 3, 9, 7), torch.ones(1, 1, 9, 7))
    assert out.shape == (1, 4, 5, 4) and valid.shape == (1, 1, 5, 4)
    with pytest.raises(ValueError, match="valid_mask must be"):
        conv(torch.rand(1, 3, 9, 7), torch.ones(1, 2, 9, 7))
    with pytest.raises(ValueError, match="size"):
        conv(torch.rand(1, 3, 9, 7), torch.ones(1, 1, 9, 6))


def test_gradcheck_float64():
    torch.manual_seed(0)
    conv = PartialConv2d(2, 2, 3, padding=1).double()
    valid = (torch.rand(1, 1, 5, 4, dtype=torch.float64) > 0.4).double()
    x = torch.randn(1, 2, 5, 4, dtype=torch.float64, requires_grad=True)

    def fn(inp, weight, bias):
        return torch.func.functional_call(conv, {"weight": weight, "bias": bias}, (inp, valid))[0]

    w = conv.weight.detach().clone().requires_grad_(True)
    b = conv.bias.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(fn, (x, w, b))

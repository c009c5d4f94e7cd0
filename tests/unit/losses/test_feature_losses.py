"""Perceptual and Gram-style losses: hand values, Module == function, gradcheck."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from restora.losses import (
    PerceptualLoss,
    StyleLoss,
    VGGFeatures,
    VGGLoss,
    gram_matrix,
    perceptual_loss,
    style_loss,
)


@pytest.fixture(scope="module")
def vgg() -> VGGFeatures:
    return VGGFeatures(layers=("relu1_2", "relu2_2"), weights=None)


def tiny_extractor(weights: list[torch.Tensor]):
    """A 2-layer random conv extractor returning a feature dict (float64 friendly)."""

    def extract(x: torch.Tensor) -> dict[str, torch.Tensor]:
        h1 = torch.tanh(F.conv2d(x, weights[0], padding=1))
        h2 = torch.tanh(F.conv2d(F.avg_pool2d(h1, 2), weights[1], padding=1))
        return {"a": h1, "b": h2}

    return extract


def test_gram_matrix_hand_example():
    feats = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])  # (1, C=2, H=1, W=2)
    expected = torch.tensor([[[5.0, 11.0], [11.0, 25.0]]]) / 4  # F F^T / (C H W)
    torch.testing.assert_close(gram_matrix(feats), expected)


def test_perceptual_and_style_values(rng):
    p = {"a": torch.rand(2, 3, 4, 4, generator=rng), "b": torch.rand(2, 5, 2, 2, generator=rng)}
    t = {"a": torch.rand(2, 3, 4, 4, generator=rng), "b": torch.rand(2, 5, 2, 2, generator=rng)}
    lw = {"a": 0.5, "b": 2.0}
    expected = 0.5 * (p["a"] - t["a"]).abs().mean() + 2.0 * (p["b"] - t["b"]).abs().mean()
    assert perceptual_loss(p, t, layer_weights=lw).item() == pytest.approx(
        expected.item(), rel=1e-6
    )
    only_b = perceptual_loss(p, t, layer_weights={"b": 1.0}).item()
    assert only_b == pytest.approx((p["b"] - t["b"]).abs().mean().item(), rel=1e-6)

    def gram(f):
        b, c, h, w = f.shape
        flat = f.reshape(b, c, -1)
        return torch.einsum("bci,bdi->bcd", flat, flat) / (c * h * w)

    expected_style = sum((gram(p[k]) - gram(t[k])).abs().mean() for k in ("a", "b"))
    assert style_loss(p, t).item() == pytest.approx(expected_style.item(), rel=1e-6)
    expected_mse = sum(((gram(p[k]) - gram(t[k])) ** 2).mean() for k in ("a", "b"))
    assert style_loss(p, t, distance="mse").item() == pytest.approx(expected_mse.item(), rel=1e-6)
    assert perceptual_loss(p, p).item() == 0.0 and style_loss(t, t).item() == 0.0
    with pytest.raises(KeyError):
        perceptual_loss(p, t, layer_weights={"c": 1.0})
    with pytest.raises(KeyError):
        style_loss(p, {"a": t["a"]})


def test_modules_equal_functions(vgg, rng):
    x = torch.rand(1, 3, 16, 16, generator=rng)
    y = torch.rand(1, 3, 16, 16, generator=rng)
    fx, fy = vgg(x), vgg(y)
    assert PerceptualLoss(vgg)(x, y).item() == pytest.approx(perceptual_loss(fx, fy).item())
    assert StyleLoss(vgg)(x, y).item() == pytest.approx(style_loss(fx, fy).item())
    total, parts = VGGLoss(vgg, perceptual_weight=0.05, style_weight=120.0)(x, y)
    assert parts["perceptual"].item() == pytest.approx(perceptual_loss(fx, fy).item())
    assert parts["style"].item() == pytest.approx(style_loss(fx, fy).item())
    assert total.item() == pytest.approx(
        0.05 * parts["perceptual"].item() + 120 * parts["style"].item()
    )
    assert PerceptualLoss(vgg)(x, x).item() == 0.0


def test_gradcheck_style_and_perceptual_tiny_extractor(rng):
    w = [
        torch.randn(4, 3, 3, 3, generator=rng, dtype=torch.float64),
        torch.randn(5, 4, 3, 3, generator=rng, dtype=torch.float64),
    ]
    extract = tiny_extractor(w)
    x = torch.rand(1, 3, 4, 4, generator=rng, dtype=torch.float64, requires_grad=True)
    y_feats = extract(torch.rand(1, 3, 4, 4, generator=rng, dtype=torch.float64))
    assert torch.autograd.gradcheck(lambda a: style_loss(extract(a), y_feats), (x,))
    assert torch.autograd.gradcheck(lambda a: style_loss(extract(a), y_feats, distance="mse"), (x,))
    assert torch.autograd.gradcheck(
        lambda a: perceptual_loss(extract(a), y_feats, layer_weights={"a": 1.0, "b": 0.5}), (x,)
    )


def test_gradcheck_through_vgg(rng):
    small = VGGFeatures(layers=("relu1_2", "relu2_2"), weights=None).double()
    x = torch.rand(1, 3, 4, 4, generator=rng, dtype=torch.float64, requires_grad=True)
    y_feats = small(torch.rand(1, 3, 4, 4, generator=rng, dtype=torch.float64))

    def loss(a):
        feats = small(a)
        return perceptual_loss(feats, y_feats) + style_loss(feats, y_feats)

    assert torch.autograd.gradcheck(loss, (x,))


def test_gradcheck_through_default_vgg_fast_mode(rng):
    vgg64 = VGGFeatures(weights=None).double()  # relu1_2 .. relu4_3
    x = torch.rand(1, 3, 8, 8, generator=rng, dtype=torch.float64, requires_grad=True)
    y_feats = vgg64(torch.rand(1, 3, 8, 8, generator=rng, dtype=torch.float64))

    def loss(a):
        feats = vgg64(a)
        return perceptual_loss(feats, y_feats) + style_loss(feats, y_feats)

    # fast mode: one random directional derivative instead of the full 192-column Jacobian
    assert torch.autograd.gradcheck(loss, (x,), fast_mode=True)

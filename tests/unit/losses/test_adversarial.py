"""GAN losses (vanilla / LSGAN / hinge) and feature matching against their formulas."""

from __future__ import annotations

import pytest
import torch

from restora.losses import GANLoss, feature_matching_loss, gan_loss


@pytest.fixture
def scores(rng) -> torch.Tensor:
    return torch.randn(2, 1, 3, 3, generator=rng, dtype=torch.float64)


def test_vanilla_is_bce_with_logits(scores):
    sig = torch.sigmoid(scores)
    assert gan_loss(scores, True).item() == pytest.approx(-torch.log(sig).mean().item())
    assert gan_loss(scores, False).item() == pytest.approx(-torch.log(1 - sig).mean().item())
    # generator uses the same (non-saturating) form
    assert gan_loss(scores, True, for_discriminator=False).item() == gan_loss(scores, True).item()


def test_lsgan(scores):
    assert gan_loss(scores, True, mode="lsgan").item() == pytest.approx(
        ((scores - 1) ** 2).mean().item()
    )
    assert gan_loss(scores, False, mode="lsgan").item() == pytest.approx((scores**2).mean().item())


def test_hinge():
    d = torch.tensor([2.0, 0.5, -1.5, -0.25])
    # real: relu(1 - d) = 0, 0.5, 2.5, 1.25 ; fake: relu(1 + d) = 3, 1.5, 0, 0.75
    assert gan_loss(d, True, mode="hinge").item() == pytest.approx(4.25 / 4)
    assert gan_loss(d, False, mode="hinge").item() == pytest.approx(5.25 / 4)
    assert gan_loss(d, True, mode="hinge", for_discriminator=False).item() == pytest.approx(
        -(2.0 + 0.5 - 1.5 - 0.25) / 4
    )
    with pytest.raises(ValueError, match="target_is_real=True"):
        gan_loss(d, False, mode="hinge", for_discriminator=False)
    with pytest.raises(ValueError, match="mode"):
        gan_loss(d, True, mode="wgan")


def test_multiscale_sequence_is_mean_and_module_matches(scores):
    other = scores[:, :, :2, :2] * 2
    both = gan_loss([scores, other], True, mode="lsgan")
    expected = (gan_loss(scores, True, mode="lsgan") + gan_loss(other, True, mode="lsgan")) / 2
    assert both.item() == pytest.approx(expected.item())
    module = GANLoss(mode="hinge")
    assert module(scores, True, for_discriminator=False).item() == pytest.approx(
        -scores.mean().item()
    )


def test_feature_matching_values_and_detach(rng):
    fake = [torch.rand(1, 4, 4, 4, generator=rng, requires_grad=True) for _ in range(2)]
    real = [torch.rand(1, 4, 4, 4, generator=rng, requires_grad=True) for _ in range(2)]
    loss = feature_matching_loss(fake, real)
    expected = sum((f - r).abs().mean() for f, r in zip(fake, real, strict=True)) / 2
    assert loss.item() == pytest.approx(expected.item())
    weighted = feature_matching_loss(fake, real, layer_weights=[1.0, 3.0])
    assert weighted.item() == pytest.approx(
        ((fake[0] - real[0]).abs().mean() + 3 * (fake[1] - real[1]).abs().mean()).item()
    )
    loss.backward()
    assert all(f.grad is not None for f in fake)
    assert all(r.grad is None for r in real)  # real features are detached
    with pytest.raises(ValueError):
        feature_matching_loss(fake, real[:1])


def test_gradcheck_gan_losses(scores, rng):
    x = scores.clone().requires_grad_(True)
    for mode in ("vanilla", "lsgan", "hinge"):
        for real in (True, False):
            assert torch.autograd.gradcheck(lambda p, m=mode, r=real: gan_loss(p, r, mode=m), (x,))
    assert torch.autograd.gradcheck(
        lambda p: gan_loss(p, True, mode="hinge", for_discriminator=False), (x,)
    )
    real = [torch.rand(1, 2, 3, 3, generator=rng, dtype=torch.float64)]
    fake = torch.rand(1, 2, 3, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda f: feature_matching_loss([f], real), (fake,))

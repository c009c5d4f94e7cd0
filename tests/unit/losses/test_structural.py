"""``ssim_loss`` is one minus the SSIM metric, with gradients; inpainting can use it by name."""

from __future__ import annotations

import torch

from restora.losses import ssim_loss
from restora.metrics import ssim
from restora.train.tasks.terms import inpaint_terms


def test_ssim_loss_is_one_minus_the_metric_and_differentiable():
    g = torch.Generator().manual_seed(0)
    target = torch.rand(2, 3, 24, 20, generator=g, dtype=torch.float64)
    pred = (target + 0.1 * torch.randn(2, 3, 24, 20, generator=g, dtype=torch.float64)).clamp(0, 1)
    pred.requires_grad_(True)
    loss = ssim_loss(pred, target)
    expected = 1 - ssim(pred.detach(), target).mean()
    assert torch.allclose(loss.detach(), expected, atol=1e-12)
    loss.backward()
    assert pred.grad is not None and float(pred.grad.abs().sum()) > 0
    with torch.no_grad():  # a step against the gradient raises SSIM
        better = (pred - 0.5 * pred.grad / pred.grad.abs().max()).clamp(0, 1)
    assert float(ssim_loss(better, target)) < float(loss.detach())


def test_inpainting_has_an_ssim_term_on_the_composite():
    term = inpaint_terms()["ssim"](None)
    assert term.inputs == {"pred": "composite"}

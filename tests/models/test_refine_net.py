"""The learned refinement of a classical fill: starts at the fill, keeps known pixels."""

from __future__ import annotations

import pytest
import torch

from restora.models import create_model
from restora.models.inpainting.refine_net import ClassicalRefineNet
from restora.ops.inpaint import inpaint_classical


def _holes(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    image = torch.rand(2, 3, 40, 33, generator=generator)
    mask = torch.zeros(2, 1, 40, 33)
    mask[0, :, 5:20, 4:15] = 1
    mask[1, :, 25:38, 10:30] = 1
    return image, mask


@pytest.mark.parametrize("classical", ["telea", "ns"])
def test_untrained_network_returns_the_classical_fill(classical, rng):
    image, mask = _holes(rng)
    net = ClassicalRefineNet(classical=classical, width=4, depth=2).eval()
    expected = inpaint_classical(image, mask, method=classical, radius=5)
    assert torch.equal(net(image * (1 - mask), mask), expected)


def test_trained_correction_only_changes_the_holes(rng):
    image, mask = _holes(rng)
    net = ClassicalRefineNet(width=4, depth=2).eval()
    torch.nn.init.normal_(net.body.head.weight, std=0.5, generator=rng)
    torch.nn.init.constant_(net.body.head.bias, 0.1)
    out = net(image * (1 - mask), mask)
    fill = net.classical_fill(image * (1 - mask), mask)
    known = mask.expand_as(image) == 0
    assert torch.equal(out[known], image[known])
    assert (out - fill)[~known].abs().mean() > 0.05


def test_gradient_reaches_the_body_not_the_fill(rng):
    image, mask = _holes(rng)
    net = ClassicalRefineNet(width=4, depth=2)
    torch.nn.init.normal_(net.body.head.weight, std=0.1, generator=rng)
    x = (image * (1 - mask)).requires_grad_(True)
    net(x, mask).square().mean().backward()
    assert net.body.stem[0][0].weight.grad.abs().sum() > 0
    assert x.grad is None  # the classical fill is computed without gradient


def test_an_image_that_is_all_hole_starts_from_gray(rng):
    image, mask = _holes(rng)
    mask[1] = 1.0  # nothing known in the second image
    net = ClassicalRefineNet(width=4, depth=2).eval()
    out = net(image * (1 - mask), mask)
    assert torch.equal(out[1], torch.full_like(out[1], 0.5))
    assert torch.equal(out[:1], inpaint_classical(image[:1], mask[:1], method="telea"))


def test_bad_options_raise():
    with pytest.raises(ValueError, match="classical"):
        ClassicalRefineNet(classical="fsr_fast")
    with pytest.raises(ValueError, match="channels"):
        ClassicalRefineNet(channels=1)


def test_registered_builder():
    net = create_model("refine_net.telea")
    assert net.config["classical"] == "telea" and net.config["width"] == 16
    assert net.describe().purpose == "inpaint"

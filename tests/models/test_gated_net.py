"""Gated-convolution inpainting: the coarse-to-fine layout and what each stage sees."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.models import create_model
from restora.models.inpainting.gated_net import GatedInpaintNet


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    image = torch.rand(2, 3, 30, 26, generator=gen)
    mask = torch.zeros(2, 1, 30, 26)
    mask[:, :, 8:20, 5:17] = 1
    return image, mask


def test_coarse_to_fine_returns_the_refined_and_the_coarse_prediction():
    torch.manual_seed(0)
    net = GatedInpaintNet(width=4, dilations=(2,), refine=True).eval()
    image, mask = _inputs()
    with torch.no_grad():
        final, coarse = net(image, mask, return_coarse=True)
        alone = net(image, mask)
        padded = [F.pad(t, (0, 2, 0, 2), mode="reflect") for t in (image * (1 - mask), mask)]
        first_stage = net.coarse(*padded)
    assert final.shape == coarse.shape == image.shape
    torch.testing.assert_close(alone, final)
    torch.testing.assert_close(coarse, first_stage[..., :30, :26])
    assert float((final - coarse).abs().mean()) > 1e-4  # the second stage changes the result


def test_neither_stage_sees_the_pixels_under_the_hole():
    torch.manual_seed(0)
    net = GatedInpaintNet(width=4, dilations=(2,), refine=True).eval()
    image, mask = _inputs()
    other = torch.where(mask.bool(), torch.rand_like(image), image)
    with torch.no_grad():
        first, first_coarse = net(image, mask, return_coarse=True)
        second, second_coarse = net(other, mask, return_coarse=True)
    torch.testing.assert_close(first, second)
    torch.testing.assert_close(first_coarse, second_coarse)


def test_single_stage_coarse_is_the_output_and_presets_differ_in_stages():
    torch.manual_seed(0)
    single = GatedInpaintNet(width=4, dilations=(2,)).eval()
    image, mask = _inputs()
    with torch.no_grad():
        final, coarse = single(image, mask, return_coarse=True)
    assert torch.equal(final, coarse)
    two = create_model("gated_net.coarse_to_fine")
    one = create_model("gated_net.base", width=16)
    n_two = sum(p.numel() for p in two.parameters())
    n_one = sum(p.numel() for p in one.parameters())
    assert two.fine is not None and one.fine is None and n_two == 2 * n_one

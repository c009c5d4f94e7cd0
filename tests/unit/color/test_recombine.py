"""Full-resolution L + low-resolution ab -> RGB, keeping L; the L-preserving gamut mapping."""

from __future__ import annotations

import pytest
import torch

from restora.color import (
    image_lightness,
    lab_to_rgb,
    lab_to_rgb_in_gamut,
    recombine_lab,
    rgb_to_lab,
)


def test_in_gamut_colours_are_converted_exactly_and_out_of_gamut_keep_l_and_hue():
    lab = torch.tensor(
        [[50.0, 10.0, -20.0], [50.0, 120.0, 0.0], [90.0, -80.0, -60.0], [5.0, 0.0, 40.0]],
        dtype=torch.float64,
    ).T.reshape(1, 3, 1, 4)
    plain = lab_to_rgb(lab)
    out = lab_to_rgb_in_gamut(lab)
    assert 0.0 <= out.min() and out.max() <= 1.0
    torch.testing.assert_close(out[..., 0], plain[..., 0])  # in gamut: untouched
    assert (plain[..., 1:] < 0).any() or (plain[..., 1:] > 1).any()  # the others were not
    back = rgb_to_lab(out)
    assert (back[:, 0] - lab[:, 0]).abs().max() < 0.01  # L kept
    # chroma reduced along the same hue: ab stays a positive multiple of the request
    for i in (1, 2, 3):
        got, want = back[0, 1:, 0, i], lab[0, 1:, 0, i]
        scale = (got @ want) / (want @ want)
        assert 0 < scale < 1 and torch.allclose(got, scale * want, atol=0.5)
    clipped = rgb_to_lab(plain.clamp(0, 1))
    assert (clipped[:, 0] - lab[:, 0]).abs().max() > 1.0  # plain clipping would have changed L


def test_image_lightness_equals_rgb_to_lab_l():
    image = torch.rand(2, 3, 37, 29, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(
        image_lightness(image, rows=8), rgb_to_lab(image)[:, :1], atol=1e-4, rtol=0
    )


def test_recombine_upsamples_ab_and_keeps_l():
    g = torch.Generator().manual_seed(2)
    lightness = 20 + 60 * torch.rand(1, 1, 50, 70, generator=g)
    ab = torch.zeros(1, 2, 5, 7)
    ab[:, 0], ab[:, 1] = 15.0, -10.0
    rgb = recombine_lab(lightness, ab, rows=16)
    assert rgb.shape == (1, 3, 50, 70)
    lab = rgb_to_lab(rgb)
    assert (lab[:, :1] - lightness).abs().max() < 0.01
    torch.testing.assert_close(
        lab[0, 1:].mean((1, 2)), torch.tensor([15.0, -10.0]), atol=0.05, rtol=0
    )
    with pytest.raises(ValueError):
        recombine_lab(lightness, torch.zeros(1, 3, 5, 7))

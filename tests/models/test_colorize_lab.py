"""colorize_lab: the model runs at ~256 px, the photo's full-resolution lightness is kept."""

from __future__ import annotations

import time

import torch
from torch import nn

from restora.color import image_lightness, rgb_to_lab
from restora.models import create_model
from restora.models.colorization import colorize_lab, model_size


def _photo(height: int, width: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    base = 0.2 + 0.6 * (0.5 + 0.5 * torch.sin(8 * x) * torch.cos(5 * y))
    gray = (0.85 * base + 0.15 * torch.rand(height, width, generator=g)).clamp(0, 1)
    return gray.expand(1, 3, height, width).contiguous()


class _HintEcho(nn.Module):
    """A stand-in hint colorizer: returns its ab hints (zeros elsewhere) and records sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.seen: list[tuple[int, ...]] = []
        self.hint_count = 0.0

    def predict_ab(self, lightness, *, hints=None, hint_mask=None):
        self.seen.append(tuple(lightness.shape))
        if hints is None:
            return torch.zeros(lightness.shape[0], 2, *lightness.shape[-2:])
        self.hint_count = float(hint_mask.sum())
        return hints * self.scale


def test_model_size_keeps_aspect_and_multiples_of_8():
    assert model_size(3000, 4000) == (256, 344)
    assert model_size(4000, 3000) == (344, 256)
    assert model_size(100, 100) == (256, 256)
    assert model_size(481, 321, size=128) == (192, 128)


def test_full_resolution_lightness_is_kept_and_colour_added():
    torch.manual_seed(0)
    model = create_model("zhang.eccv16", width=0.0625).train()
    image = _photo(600, 450)
    start = time.perf_counter()
    out = colorize_lab(model, image)
    seconds = time.perf_counter() - start
    assert out.shape == image.shape and 0 <= out.min() and out.max() <= 1
    assert (image_lightness(out) - image_lightness(image)).abs().max() < 0.5
    assert rgb_to_lab(out)[:, 1:].abs().mean() > 0.5  # a random network does add colour
    assert model.training  # mode restored
    assert seconds < 5


def test_sepia_photo_is_colorized_from_its_lightness():
    gray = _photo(96, 128)
    sepia = (gray * torch.tensor([1.0, 0.85, 0.65]).view(1, 3, 1, 1)).clamp(0, 1)
    out = colorize_lab(_HintEcho(), sepia)  # no hints: ab = 0, i.e. the tint is removed
    lab = rgb_to_lab(out)
    assert lab[:, 1:].abs().max() < 0.5
    assert (lab[:, :1] - rgb_to_lab(sepia)[:, :1]).abs().max() < 0.5


def test_hints_are_pooled_to_model_size_and_reach_the_model():
    model = _HintEcho()
    image = _photo(512, 768)
    hints = torch.zeros(1, 2, 512, 768)
    mask = torch.zeros(1, 1, 512, 768)
    hints[..., 100, 200] = torch.tensor([40.0, 20.0]).view(1, 2)
    mask[..., 100, 200] = 1
    hints[..., 400:404, 600:604] = torch.tensor([-30.0, 30.0]).view(1, 2, 1, 1)
    mask[..., 400:404, 600:604] = 1
    out = colorize_lab(model, image, hints=hints, hint_mask=mask)
    assert model.seen == [(1, 1, 256, 384)]
    assert model.hint_count == 1 + 4  # the point -> 1 cell; 4x4 pixels at scale 1/2 -> 2x2
    ab = rgb_to_lab(out)[0, 1:]
    assert ab[:, 100, 200].tolist()[0] > 10 and ab[:, 402, 602].tolist()[0] < -10

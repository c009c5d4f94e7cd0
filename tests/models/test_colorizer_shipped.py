"""restora's shipped colorizer on photos it never saw (CBSD68 turned gray): a regression check of
the weights, on fewer photos than ``benchmarks/colorize.py`` (whose table the model card quotes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.color import image_lightness, lab_to_rgb, rgb_to_lab
from restora.io import read_image
from restora.metrics import ab_auc, colorfulness, psnr, quantize_8bit
from restora.models import catalogue
from restora.models.colorization import colorize_lab

NAME = "colorize.siggraph17"
pytestmark = pytest.mark.skipif(not catalogue.installed(NAME), reason="no shipped colorizer")


def _gray(image: torch.Tensor) -> torch.Tensor:
    lab = rgb_to_lab(image)
    return lab_to_rgb(torch.cat([lab[:, :1], torch.zeros_like(lab[:, 1:])], 1)).clamp(0, 1)


def _points(image: torch.Tensor, count: int, seed: int) -> dict[str, torch.Tensor]:
    h, w = image.shape[-2:]
    flat = np.random.default_rng(seed).choice(h * w, size=count, replace=False)
    mask = torch.zeros(1, 1, h * w)
    mask[..., torch.from_numpy(flat)] = 1
    mask = mask.view(1, 1, h, w)
    return {"hints": rgb_to_lab(image)[:, 1:] * mask, "hint_mask": mask}


def test_shipped_colorizer_beats_gray_and_follows_hints(shared):
    torch.set_num_threads(1)
    files = sorted((shared / "data" / "ffdnet_testsets" / "CBSD68").glob("*.png"))[::9][:6]
    assert len(files) == 6
    model = catalogue.load(NAME).model
    scores = {"gray": [], "auto": [], "hints_10": [], "hints_100": []}
    colour = []
    for index, path in enumerate(files):
        original = quantize_8bit(read_image(path).image)
        gray = _gray(original)
        outputs = {
            "gray": gray,
            "auto": colorize_lab(model, gray),
            "hints_10": colorize_lab(model, gray, **_points(original, 10, index)),
            "hints_100": colorize_lab(model, gray, **_points(original, 100, index)),
        }
        for name, out in outputs.items():
            out = quantize_8bit(out)
            scores[name].append((float(psnr(out, original)[0]), float(ab_auc(out, original)[0])))
        colour.append(float(colorfulness(outputs["auto"])[0]))
        assert (image_lightness(outputs["auto"]) - image_lightness(gray)).abs().max() < 0.5
    mean = {k: np.mean(v, axis=0) for k, v in scores.items()}  # (psnr, auc) per method
    assert mean["auto"][1] > mean["gray"][1]  # AuC above gray's
    assert np.mean(colour) > 5.0  # colourful, not gray
    assert mean["hints_10"][0] > mean["auto"][0] + 1.0  # hints steer it
    assert mean["hints_100"][0] > mean["hints_10"][0]

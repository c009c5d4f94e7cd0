"""Issue 18: every stage run alone from the command line does its job, and a user's mask is
filled exactly (every pixel outside it bit-identical to the input file)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from restora.color import rgb_to_lab
from restora.data.damage import synthesize_damage
from restora.data.examples import example_image
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy
from restora.metrics import psnr
from restora.models import catalogue
from restora.ops.resize import imresize

pytest.importorskip("skimage")  # the bundled example photos


def _save(path, image: torch.Tensor):
    Image.fromarray(tensor_to_numpy(image)).save(path)
    return path


def _load(path) -> torch.Tensor:
    return numpy_to_tensor(np.asarray(Image.open(path).convert("RGB")))


@pytest.fixture(scope="module")
def coffee() -> torch.Tensor:
    """scikit-image's coffee photo, 200x300 crop, as 8-bit values."""
    image = example_image("coffee")[..., 100:300, 150:450]
    return numpy_to_tensor(tensor_to_numpy(image))


def test_denoise_alone_beats_non_local_means_by_2_db(cli, tmp_path, coffee):
    noise = torch.randn(coffee.shape, generator=torch.Generator().manual_seed(0)) * 25 / 255
    noisy = _save(tmp_path / "noisy.png", (coffee + noise).clamp(0, 1))
    scores = {}
    for method in ("auto", "nlm"):
        out = tmp_path / method
        code, _, err = cli("restore", noisy, "-o", out, "--stages", "denoise",
                           "--set", f"denoise.method={method}")  # fmt: skip
        assert code == 0, err
        scores[method] = float(psnr(_load(out / "noisy_restored.png"), coffee)[0])
    before = float(psnr(_load(noisy), coffee)[0])
    assert scores["nlm"] > before + 3  # non-local means really ran on the estimated sigma
    assert scores["auto"] >= scores["nlm"] + 2.0, scores


@pytest.mark.skipif(not catalogue.installed("colorize.siggraph17"), reason="no colorizer")
def test_colorize_alone_colorizes_a_gray_photo(cli, tmp_path, coffee):
    gray = coffee.mean(1, keepdim=True).expand(-1, 3, -1, -1)
    source = _save(tmp_path / "gray.png", gray)
    code, _, err = cli("restore", source, "-o", tmp_path / "out", "--stages", "colorize")
    assert code == 0, err
    out = _load(tmp_path / "out" / "gray_restored.png")
    lab, true, gray_lab = rgb_to_lab(out), rgb_to_lab(coffee), rgb_to_lab(gray)
    assert float(lab[:, 1:].norm(dim=1).mean()) > 4.0  # visibly coloured (gray: 0)
    # closer to the photo's true colours than the gray photo is
    error = float((lab[:, 1:] - true[:, 1:]).norm(dim=1).mean())
    assert error < float(true[:, 1:].norm(dim=1).mean()), error  # gray's error: 45.8
    assert float((lab[:, 0] - gray_lab[:, 0]).abs().mean()) < 1.0  # its own lightness kept


def test_upscale_alone_beats_lanczos(cli, tmp_path, coffee):
    small = imresize(coffee, scale=0.5, kernel="cubic").clamp(0, 1)
    source = _save(tmp_path / "small.png", small)
    scores = {}
    for method in ("auto", "lanczos"):
        out = tmp_path / method
        code, _, err = cli("restore", source, "-o", out, "--stages", "upscale", "--scale", "2",
                           "--upscale-method", method)  # fmt: skip
        assert code == 0, err
        up = _load(out / "small_restored.png")
        assert up.shape == coffee.shape
        scores[method] = float(psnr(up, coffee, crop_border=2, y_channel=True)[0])
    assert scores["auto"] > scores["lanczos"] + 0.3, scores


def test_detect_damage_alone_finds_the_damage(cli, tmp_path, coffee):
    damaged, truth = synthesize_damage(coffee, rng=np.random.default_rng(3))
    source = _save(tmp_path / "old.png", damaged)
    code, _, err = cli("restore", source, "-o", tmp_path / "out", "--stages", "detect_damage",
                       "--save-mask")  # fmt: skip
    assert code == 0, err
    found = torch.from_numpy(np.asarray(Image.open(tmp_path / "out" / "old_mask.png")) > 127)
    truth = truth[0, 0] > 0.5
    recall = float((found & truth).sum() / truth.sum())
    precision = float((found & truth).sum() / found.sum().clamp(min=1))
    assert recall > 0.5 and precision > 0.5, (recall, precision)
    assert torch.equal(_load(tmp_path / "out" / "old_restored.png"), _load(source))


@pytest.mark.parametrize("method", ["auto", "telea"])
def test_user_mask_pixels_outside_it_are_bit_identical(cli, tmp_path, coffee, method):
    damaged, _ = synthesize_damage(coffee, rng=np.random.default_rng(5))
    source = _save(tmp_path / "old.png", damaged)
    hole = np.zeros(coffee.shape[-2:], np.uint8)
    hole[40:60, 100:180] = 255  # a box ...
    hole[120:123, :] = 255  # ... and a one-pixel-thin scratch across the photo
    hole[10, 10] = 255
    Image.fromarray(hole).save(tmp_path / "hole.png")
    code, _, err = cli("restore", source, "-o", tmp_path / "out", "--mask", tmp_path / "hole.png",
                       "--stages", "inpaint", "--inpaint-method", method)  # fmt: skip
    assert code == 0, err
    before = np.asarray(Image.open(source))
    after = np.asarray(Image.open(tmp_path / "out" / "old_restored.png"))
    outside = hole == 0
    assert np.array_equal(after[outside], before[outside])
    assert not np.array_equal(after[~outside], before[~outside])  # the holes were filled

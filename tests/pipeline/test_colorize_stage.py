"""The colorize stage: hints -> Levin, trained weights -> model, otherwise an honest skip."""

from __future__ import annotations

import pytest
import torch
from tests.shipped import install

import restora
from restora.color import image_lightness, rgb_to_lab
from restora.core.errors import ConfigError
from restora.io import HintsError
from restora.models import catalogue, create_model
from restora.pipeline.spec import PipelineSpec

STAGES = ["analyze", "colorize"]
NAME = "colorize.siggraph17"


@pytest.fixture
def gray(photo) -> torch.Tensor:
    return photo.mean(1, keepdim=True).expand(-1, 3, -1, -1).contiguous()


@pytest.fixture
def hints_file(tmp_path):
    path = tmp_path / "hints.txt"
    path.write_text("40,40,#c04030\n200,150,#3060c0\n", encoding="utf-8")
    return path


def test_hints_colorize_a_gray_photo_by_optimization_keeping_l(gray, hints_file):
    out = restora.restore(gray, stages=STAGES, hints=str(hints_file))
    record = out.record("colorize")
    assert record.ran and record.method == "levin"
    assert "2 hint pixels" in record.notes[0]
    assert (image_lightness(out.image) - image_lightness(gray)).abs().max() < 0.5
    ab = rgb_to_lab(out.image)[0, 1:]
    assert ab[0, 40, 40] > 10 and ab[1, 150, 200] < -10  # red-ish and blue-ish where hinted


def test_sepia_photo_is_colorized_from_its_luminance(gray, hints_file):
    sepia = (gray * torch.tensor([1.0, 0.86, 0.66]).view(1, 3, 1, 1)).clamp(0, 1)
    out = restora.restore(sepia, stages=STAGES, hints=str(hints_file))
    assert out.analysis.tone == "sepia" and out.record("colorize").method == "levin"
    assert (image_lightness(out.image) - image_lightness(sepia)).abs().max() < 0.5
    assert rgb_to_lab(out.image)[0, 2, 150, 200] < -10  # b < 0 (blue) where the tint was warm


def test_colour_photos_and_keep_monochrome_are_left_alone(photo, gray, hints_file):
    colour = restora.restore(photo, stages=STAGES, hints=str(hints_file))
    assert "not re-colorized (hints ignored)" in colour.record("colorize").notes[0]
    assert torch.equal(colour.image, photo)
    kept = restora.restore(gray, stages=STAGES, hints=str(hints_file), keep_monochrome=True)
    assert not kept.record("colorize").ran and torch.equal(kept.image, gray)
    off = restora.restore(gray, stages=STAGES, colorize={"method": "none"})
    assert "turned off" in off.record("colorize").notes[0]


def test_without_hints_or_weights_the_record_says_why(gray, tmp_path, monkeypatch):
    install(monkeypatch, NAME, tmp_path)
    assert not catalogue.installed(NAME)
    out = restora.restore(gray, stages=STAGES)
    record = out.record("colorize")
    assert not record.ran and "not installed" in record.notes[0]
    assert torch.equal(out.image, gray)


def test_shipped_weights_are_used_when_present(gray, tmp_path, monkeypatch):
    torch.manual_seed(0)
    install(monkeypatch, NAME, tmp_path, create_model("zhang.eccv16", width=0.0625))
    out = restora.restore(gray, stages=STAGES)
    record = out.record("colorize")
    assert record.ran and record.method == "model"
    assert (image_lightness(out.image) - image_lightness(gray)).abs().max() < 0.5
    assert not torch.equal(out.image, gray)


def test_bad_hints_and_specs_fail_clearly(gray, tmp_path):
    with pytest.raises(ConfigError, match="needs colorize.hints"):
        PipelineSpec.from_dict({"colorize": {"method": "levin"}})
    bad = tmp_path / "bad.txt"
    bad.write_text("900,10,#ff0000\n", encoding="utf-8")
    with pytest.raises(HintsError, match="outside the 256x192 image"):
        restora.restore(gray, stages=STAGES, hints=str(bad))


def test_temperature_reaches_a_classification_colorizer(gray, tmp_path, monkeypatch):
    torch.manual_seed(0)
    install(monkeypatch, NAME, tmp_path, create_model("zhang.eccv16", width=0.0625))
    default = restora.restore(gray, stages=STAGES)
    assert "annealed mean, T = 0.38" in default.record("colorize").notes[0]
    hot = restora.restore(gray, stages=STAGES, colorize={"temperature": 2.0})
    assert "annealed mean, T = 2" in hot.record("colorize").notes[0]
    assert not torch.equal(hot.image, default.image)
    with pytest.raises(ConfigError, match="temperature"):
        PipelineSpec.from_dict({"colorize": {"temperature": 0.0}})


def test_hints_go_to_levin_by_default_and_to_the_network_on_request(
    gray, hints_file, tmp_path, monkeypatch
):
    torch.manual_seed(0)
    net = create_model("zhang.siggraph17", width=0.0625, decode="regression")
    install(monkeypatch, NAME, tmp_path, net)
    default = restora.restore(gray, stages=STAGES, hints=str(hints_file))
    assert default.record("colorize").method == "levin"
    model = restora.restore(
        gray, stages=STAGES, hints=str(hints_file), colorize={"method": "model"}
    )
    record = model.record("colorize")
    assert record.method == "model" and "restora's colorizer" in record.notes[1]
    assert (image_lightness(model.image) - image_lightness(gray)).abs().max() < 0.5
    assert not torch.equal(model.image, default.image)
    automatic = restora.restore(gray, stages=STAGES)  # the same network, no hints
    assert automatic.record("colorize").method == "model"

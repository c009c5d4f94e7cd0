"""save_model / load_model: file layout and clear errors."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from restora.core.errors import RestoraError
from restora.models import create_model, load_model, save_model


def test_files_written(tmp_path):
    model = create_model("espcn.x2", width=4)
    save_model(model, tmp_path / "m")
    record = json.loads((tmp_path / "m" / "config.json").read_text())
    assert record == {"format": "restora.model/1", "arch": "espcn", "config": model.config}
    weights = load_file(tmp_path / "m" / "model.safetensors")
    assert set(weights) == set(model.state_dict())
    assert not list((tmp_path / "m").glob("*.pt*"))


def test_half_precision_storage_loads_as_float32(tmp_path, rng):
    model = create_model("espcn.x2", width=4).eval()
    save_model(model, tmp_path / "full")
    save_model(model, tmp_path / "half", dtype=torch.float16)
    stored = load_file(tmp_path / "half" / "model.safetensors")
    assert {t.dtype for t in stored.values()} == {torch.float16}
    full = (tmp_path / "full" / "model.safetensors").stat().st_size
    assert (tmp_path / "half" / "model.safetensors").stat().st_size < 0.6 * full
    assert next(model.parameters()).dtype == torch.float32  # the caller's model is untouched
    loaded = load_model(tmp_path / "half")
    assert {p.dtype for p in loaded.parameters()} == {torch.float32}
    image = torch.rand(1, 3, 24, 20, generator=rng)
    with torch.no_grad():
        difference = (loaded(image) - model(image)).abs().max()
    assert 0 < difference < 2e-3, difference  # rounded weights: close, not identical


def test_load_errors(tmp_path):
    with pytest.raises(RestoraError, match="config not found"):
        load_model(tmp_path)
    model = create_model("espcn.x2", width=4)
    save_model(model, tmp_path)
    config = tmp_path / "config.json"
    record = json.loads(config.read_text())

    config.write_text(json.dumps({**record, "arch": "espnc"}))
    with pytest.raises(KeyError, match="did you mean 'espcn'"):
        load_model(tmp_path)

    config.write_text(json.dumps({**record, "config": {**record["config"], "width": 6}}))
    with pytest.raises(RestoraError, match="does not match"):
        load_model(tmp_path)

    config.write_text(json.dumps({"arch": "espcn"}))
    with pytest.raises(RestoraError, match="not a restora model config"):
        load_model(tmp_path)

    config.write_text(json.dumps(record))
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(RestoraError, match="weights not found"):
        load_model(tmp_path)


def test_only_registered_architectures_can_be_saved(tmp_path):
    with pytest.raises(TypeError, match="registered restora architecture"):
        save_model(torch.nn.Conv2d(1, 1, 1), tmp_path)  # type: ignore[arg-type]


def _unet(seed: int):
    torch.manual_seed(seed)
    model = create_model("unet.damage", width=8, depth=2)
    for p in model.parameters():
        p.data.normal_(0, 0.1)
    return model.eval()


def test_an_overlay_holds_only_its_layers_and_rebuilds_the_fine_tuned_network(tmp_path, rng):
    from restora.models.checkpoint import overlay_weights, save_overlay

    base, tuned = _unet(1), _unet(1)
    with torch.no_grad():
        for name, p in tuned.named_parameters():
            if name.startswith(("stem.", "head.")):
                p.add_(0.05)
    folder = save_overlay(tuned, tmp_path / "o", ["stem", "head"], dtype=torch.float16)
    stored = load_file(folder / "model.safetensors")
    assert stored and all(k.startswith(("stem.", "head.")) for k in stored)
    assert {t.dtype for t in stored.values() if t.is_floating_point()} == {torch.float16}
    assert json.loads((folder / "config.json").read_text())["overlay"] == ["stem", "head"]
    image = torch.rand(1, 3, 32, 32, generator=rng)
    with torch.no_grad():
        before = (base(image) - tuned(image)).abs().max()
        overlay_weights(base, folder)
        after = (base(image) - tuned(image)).abs().max()
    assert before > 0.01 and after < 2e-3, (before, after)
    with pytest.raises(RestoraError, match="overlay"):
        load_model(folder)  # part of a model is never taken for a whole one
    with pytest.raises(RestoraError, match="not this"):
        overlay_weights(create_model("unet.damage", width=4, depth=2), folder)
    with pytest.raises(RestoraError, match="whole model"):
        overlay_weights(base, save_model(base, tmp_path / "whole"))
    with pytest.raises(ValueError, match="no tensor"):
        save_overlay(tuned, tmp_path / "x", ["stem", "nothing"])

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

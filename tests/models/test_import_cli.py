"""Importing the official DnCNN PyTorch checkpoint, the known-file records, and
``restora models import`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from restora.cli.models_cmd import models_app
from restora.core.errors import RestoraError
from restora.core.weights import load_state_dict, sha256_file
from restora.models import create_model, load_model
from restora.models.convert import (
    OFFICIAL,
    convert_legacy_dncnn,
    import_checkpoint,
    legacy_dncnn_key_map,
)

SHARED_FILES = {
    "dncnn_pytorch_sigma25": "dncnn/pytorch_DnCNN_sigma25/model.pth",
    "dncnn_matconvnet_gray_blind": "dncnn/matconvnet/GD_Gray_Blind.mat",
    "dncnn_matconvnet_color_blind": "dncnn/matconvnet/GD_Color_Blind.mat",
    "ffdnet_matconvnet_gray": "ffdnet/FFDNet_gray.mat",
    "ffdnet_matconvnet_color": "ffdnet/FFDNet_color.mat",
}


def _weights(shared: Path, key: str) -> Path:
    path = shared / "weights" / SHARED_FILES[key]
    if not path.is_file():
        pytest.skip(f"{path.name} not in ../shared/weights")
    return path


def _run(*args: object):
    result = CliRunner().invoke(models_app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_legacy_key_map_is_restoras_layout():
    mapping = legacy_dncnn_key_map(17)
    assert list(mapping.values()) == list(create_model("dncnn.s_gray").state_dict())
    assert len(mapping) == 93 and "dncnn.47.weight" in mapping


def test_legacy_conversion_strips_data_parallel_and_refuses_partial_states():
    state = create_model("dncnn.s_gray", width=8, depth=4).state_dict()
    config, converted = convert_legacy_dncnn({f"module.{k}": v for k, v in state.items()})
    assert config == {"channels": 1, "width": 8, "depth": 4, "batch_norm": True}
    assert list(converted) == list(state)
    del state["dncnn.3.running_var"]
    with pytest.raises(RestoraError, match=r"missing \['dncnn.3.running_var'\]"):
        convert_legacy_dncnn(state)


def test_unknown_file_imports_by_its_own_config(tmp_path):
    torch.manual_seed(0)
    tiny = create_model("dncnn.b_color", width=8, depth=3).eval()
    torch.save(tiny.state_dict(), tmp_path / "tiny.pth", _use_new_zipfile_serialization=False)
    model, info = import_checkpoint(tmp_path / "tiny.pth")
    assert info.official is None and info.config == {**tiny.config}
    x = torch.rand(1, 3, 9, 7)
    with torch.no_grad():
        assert torch.equal(model(x), tiny(x))
    torch.save({"encoder.weight": torch.zeros(1)}, tmp_path / "other.pth")
    with pytest.raises(RestoraError, match="unrecognized checkpoint layout"):
        import_checkpoint(tmp_path / "other.pth")


@pytest.mark.parametrize("key", list(SHARED_FILES))
def test_official_records_match_the_files(shared, key):
    path = _weights(shared, key)
    record = OFFICIAL[key]
    assert sha256_file(path) == record.weights.sha256
    assert record.weights.url.endswith(Path(SHARED_FILES[key]).name)
    assert "licence" in record.weights.license


def test_official_pytorch_dncnn_imports_exactly(shared):
    path = _weights(shared, "dncnn_pytorch_sigma25")
    model, info = import_checkpoint(path)
    assert info.official is OFFICIAL["dncnn_pytorch_sigma25"]
    assert model.config == create_model("dncnn.s_gray").config
    raw = load_state_dict(path)
    for key, value in model.state_dict().items():
        assert torch.equal(value, raw[key]), key
    with pytest.raises(RestoraError, match="use dncnn.s_gray"):
        import_checkpoint(path, "dncnn.b_gray")  # 20 layers: does not match the 17-layer file


def test_cli_import_writes_a_loadable_model(shared, tmp_path):
    path = _weights(shared, "dncnn_pytorch_sigma25")
    out = tmp_path / "dncnn_s25"
    code, stdout, stderr = _run("import", path, "-o", out)
    assert code == 0, stderr
    assert "dncnn.s_gray" in stdout or "DnCNN-S" in stdout
    reference, _ = import_checkpoint(path)
    loaded = load_model(out)
    x = torch.rand(1, 1, 17, 13, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(loaded(x), reference(x))
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["source_sha256"] == OFFICIAL["dncnn_pytorch_sigma25"].weights.sha256
    assert provenance["model"] == "dncnn.s_gray" and provenance["license"]

    code, _, stderr = _run("import", path, "-o", out)
    assert code == 2 and "--overwrite" in stderr
    assert _run("import", path, "-o", out, "--overwrite", "--arch", "dncnn.s_gray")[0] == 0


def test_cli_import_mat_with_wrong_arch_names_the_right_one(shared, tmp_path):
    path = _weights(shared, "dncnn_matconvnet_gray_blind")
    code, _, stderr = _run("import", path, "--arch", "ffdnet.gray", "-o", tmp_path / "x")
    assert code == 2 and "use dncnn.b_gray_mat" in stderr
    assert not (tmp_path / "x").exists()
    code, stdout, stderr = _run("import", path, "--arch", "dncnn.b_gray_mat", "-o", tmp_path / "y")
    assert code == 0, stderr
    assert load_model(tmp_path / "y").config["batch_norm"] is False


def test_cli_list_shows_models_and_official_files():
    code, stdout, _ = _run("list", "ffdnet.*")
    assert code == 0
    assert "ffdnet.color" in stdout and "FFDNet_color.mat" in stdout and "dncnn" not in stdout

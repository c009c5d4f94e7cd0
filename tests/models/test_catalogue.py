"""The catalogue of shipped models: one index, one cached loader, sha256 checked at load."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import torch
from typer.testing import CliRunner

from restora.cli.models_cmd import models_app
from restora.core.errors import RestoraError
from restora.models import ModelDescriptor, catalogue, create_model
from restora.models.checkpoint import CONFIG_FILE, WEIGHTS_FILE


def test_every_shipped_model_is_installed_verified_and_has_a_card():
    assert {e.task for e in catalogue.CATALOGUE.values()} == {
        "detect_damage",
        "inpaint",
        "denoise",
        "colorize",
        "upscale",
        "faces",
    }
    for name, entry in catalogue.CATALOGUE.items():
        assert entry.name == name
        assert entry.installed() and entry.card.is_file(), name
        assert catalogue.verify(name) is None, name


def test_models_with_their_own_wrapper_are_checked_not_described(tmp_path):
    folder = catalogue.checked_folder("face.embed")
    assert folder == catalogue.shipped("face.embed").path
    with pytest.raises(RestoraError, match="own wrapper"):
        catalogue.load("face.embed")
    # a damaged copy is refused by the same sha256 check
    copy = tmp_path / "face" / "embed_triplet"
    shutil.copytree(folder, copy)
    (copy / "model.safetensors").write_bytes(b"not the weights")
    entry = dataclasses.replace(catalogue.shipped("face.embed"), root=tmp_path)
    assert "sha256" in catalogue._problem(entry)


def test_load_is_cached_and_returns_descriptors():
    first = catalogue.load("denoise.blind_color")
    assert first is catalogue.load("denoise.blind_color")
    assert isinstance(first, ModelDescriptor) and first.purpose == "denoise"
    assert first.tile_overlap == 128 and first.tile_align == 8  # the catalogue's advice
    assert catalogue.load("colorize.siggraph17").purpose == "colorize"
    x = torch.rand(1, 3, 21, 19)
    assert first(x).shape == x.shape


def _copy(entry: catalogue.ShippedModel, root):
    target = root / entry.folder
    target.mkdir(parents=True)
    for file in (CONFIG_FILE, WEIGHTS_FILE):
        shutil.copyfile(entry.path / file, target / file)
    return dataclasses.replace(entry, root=root), target


def test_changed_weights_are_refused_by_load_and_verify(tmp_path, monkeypatch):
    entry, folder = _copy(catalogue.shipped("sr.x2_bicubic"), tmp_path)
    monkeypatch.setitem(catalogue.CATALOGUE, entry.name, entry)
    assert catalogue.verify(entry.name) is None
    data = bytearray((folder / WEIGHTS_FILE).read_bytes())
    data[-1] ^= 1  # one bit of one weight
    (folder / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(RestoraError, match="sha256"):
        catalogue.load(entry.name)
    assert "sha256" in catalogue.verify(entry.name)
    result = CliRunner().invoke(models_app, ["verify", entry.name])
    assert result.exit_code == 1 and "FAILED" in result.output


def test_wrong_architecture_and_missing_files_are_named(tmp_path, monkeypatch):
    from restora.core.weights import sha256_file
    from restora.models import save_model

    entry = catalogue.shipped("denoise.blind_color")
    folder = tmp_path / entry.folder
    save_model(create_model("dncnn.s_gray", width=8, depth=3), folder)
    wrong = dataclasses.replace(entry, root=tmp_path, sha256=sha256_file(folder / WEIGHTS_FILE))
    monkeypatch.setitem(catalogue.CATALOGUE, entry.name, wrong)
    with pytest.raises(RestoraError, match="not a restora_denoiser"):
        catalogue.load(entry.name)
    missing = dataclasses.replace(entry, root=tmp_path / "nowhere")
    monkeypatch.setitem(catalogue.CATALOGUE, entry.name, missing)
    assert not catalogue.installed(entry.name)
    assert "not installed" in catalogue.verify(entry.name)


def test_unknown_names_suggest_close_ones():
    with pytest.raises(KeyError, match="did you mean 'sr.x4_bicubic'"):
        catalogue.shipped("sr.x4_bicubik")


def test_prepare_runs_any_checkpoint_like_the_shipped_one():
    model = create_model("unet.damage", width=4, depth=4)
    network = catalogue.prepare(model, "damage.unet")
    assert (network.multiple_of, network.tile_align, network.view_budget_mp) == (16, 16, 16.0)
    assert network.output_activation == "sigmoid"
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in network.model.modules())
    x = torch.rand(1, 3, 37, 29)
    with torch.no_grad():
        expected = torch.sigmoid(model.eval()(x))
    assert torch.allclose(network(x), expected, atol=1e-5)


def test_cli_lists_shipped_models_with_their_state():
    result = CliRunner().invoke(models_app, ["list", "sr.*"])
    assert result.exit_code == 0
    assert "sr.x4_realistic" in result.output and "installed" in result.output
    assert "damage.unet" not in result.output
    result = CliRunner().invoke(models_app, ["verify"])
    assert result.exit_code == 0 and result.output.count(" ok") == len(catalogue.CATALOGUE)


def test_an_entry_over_a_base_is_the_base_with_its_retrained_layers(tmp_path, monkeypatch):
    import copy

    from restora.core.weights import sha256_file
    from restora.models.checkpoint import save_overlay

    base = catalogue.shipped("damage.unet")
    tuned = copy.deepcopy(catalogue._checked_model(base))
    with torch.no_grad():
        for name, p in tuned.named_parameters():
            if name.startswith(("up.3.", "head.")):
                p.add_(0.05)
    folder = save_overlay(tuned, tmp_path / "damage" / "part", ["up.3", "head"])
    entry = catalogue.ShippedModel(
        name="damage.part",
        task="detect_damage",
        folder="damage/part",
        sha256=sha256_file(folder / WEIGHTS_FILE),
        arch="unet",
        summary="a test overlay",
        root=tmp_path,
        base="damage.unet",
    )
    monkeypatch.setitem(catalogue.CATALOGUE, entry.name, entry)
    assert catalogue.installed(entry.name) and catalogue.verify(entry.name) is None
    x = torch.rand(1, 3, 48, 64)
    with torch.no_grad():
        rebuilt = catalogue._checked_model(entry)(x)
        assert (rebuilt - tuned(x)).abs().max() < 1e-5
        assert (rebuilt - catalogue._checked_model(base)(x)).abs().max() > 1e-2
    # without its base the entry is not installed, and the base is named
    gone = dataclasses.replace(base, root=tmp_path / "nowhere")
    monkeypatch.setitem(catalogue.CATALOGUE, base.name, gone)
    assert not catalogue.installed(entry.name)
    assert "damage.unet" in catalogue.verify(entry.name)

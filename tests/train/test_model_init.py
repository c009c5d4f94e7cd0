"""``model.init``: a run starts from saved weights (fine-tuning), and weights that do not fit
the configured model are refused naming the option."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tests.train.helpers import CONFIGS, tiny_overrides

from restora.core.errors import ConfigError
from restora.models import create_model, save_model
from restora.train import load_config, train


def _saved(tmp_path: Path, name: str, **options) -> Path:
    torch.manual_seed(123)
    model = create_model(name, **options)
    for p in model.parameters():
        p.data.normal_(0, 0.05)
    return save_model(model, tmp_path / "init")


def test_run_starts_from_the_given_weights(photo_folder: Path, tmp_path: Path) -> None:
    base = tiny_overrides("sr", photo_folder, tmp_path / "run", steps=1)
    config = load_config(CONFIGS / "sr.toml", base)
    options = {**config.model.options}
    folder = _saved(tmp_path, config.model.name, **options)
    # a learning rate so small that one step leaves the weights where they started
    tuned = load_config(
        CONFIGS / "sr.toml", [*base, f'model.init="{folder.as_posix()}"', "optim.lr=1e-12"]
    )
    result = train(tuned)
    start = load_file(str(folder / "model.safetensors"))
    final = load_file(str(result.out_dir / "model" / "model.safetensors"))
    assert start.keys() == final.keys()
    assert all(torch.allclose(start[k], final[k], atol=1e-6) for k in start)

    fresh = train(
        load_config(
            CONFIGS / "sr.toml",
            [*base, "optim.lr=1e-12", f'out_dir="{(tmp_path / "fresh").as_posix()}"'],
        )
    )
    scratch = load_file(str(fresh.out_dir / "model" / "model.safetensors"))
    assert not all(torch.allclose(start[k], scratch[k], atol=1e-3) for k in start)


def test_weights_of_another_shape_are_refused(photo_folder: Path, tmp_path: Path) -> None:
    base = tiny_overrides("sr", photo_folder, tmp_path / "run", steps=1)
    config = load_config(CONFIGS / "sr.toml", base)
    wider = {**config.model.options, "width": int(config.model.options["width"]) + 8}
    folder = _saved(tmp_path, config.model.name, **wider)
    with pytest.raises(ConfigError, match="model.init"):
        train(load_config(CONFIGS / "sr.toml", [*base, f'model.init="{folder.as_posix()}"']))


def test_trainable_layers_train_and_the_rest_keeps_weights_and_statistics(
    photo_folder: Path, tmp_path: Path
) -> None:
    base = tiny_overrides("damage", photo_folder, tmp_path / "run", steps=3)
    config = load_config(CONFIGS / "damage.toml", base)
    folder = _saved(tmp_path, config.model.name, **config.model.options)
    tuned = load_config(
        CONFIGS / "damage.toml",
        [*base, f'model.init="{folder.as_posix()}"', 'model.trainable=["stem", "head"]', "ema=0"],
    )
    result = train(tuned)
    start = load_file(str(folder / "model.safetensors"))
    final = load_file(str(result.out_dir / "model" / "model.safetensors"))
    # (num_batches_tracked counts steps; batch norms with a momentum never read it)
    changed = {
        k
        for k in start
        if not torch.equal(start[k], final[k]) and not k.endswith("num_batches_tracked")
    }
    assert changed and all(k.startswith(("stem.", "head.")) for k in changed), changed
    # batch norms outside the trainable layers kept their running statistics
    assert any("running_mean" in k for k in start if not k.startswith(("stem.", "head.")))
    with pytest.raises(ConfigError, match="model.trainable"):
        train(load_config(CONFIGS / "damage.toml", [*base, 'model.trainable=["stem", "nowhere"]']))

"""Zhang-style colorizer training (task kind "colorize"): the two shipped configs, narrowed, train
a few steps on synthetic photos; the prior is counted and recorded; the saved model folder loads
as restora's pretrained colorizer and runs in the colorize stage; bad combinations fail early."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest
import torch
from tests.shipped import install
from tests.train.helpers import CONFIGS, run_overrides

import restora
from restora.color import image_lightness
from restora.core.errors import ConfigError
from restora.models import catalogue
from restora.models.colorization import ZhangECCV16, ZhangSIGGRAPH17
from restora.train import check_config, load_config, read_csv, task_class, task_kind, train

NAMES = {"auto": "colorize_restora_auto", "hints": "colorize_restora_hints"}


def tiny(kind: str, folder: Path, out_dir: Path, *extra: str, steps: int = 40) -> list[str]:
    return [
        *run_overrides(folder, out_dir, steps=steps),
        "data.val_crop=32",
        "ema=0.0",
        "schedule.warmup=0",
        f"model.options.width={0.0625 if kind == 'auto' else 0.125}",
        *extra,
    ]


def config_for(kind: str, folder: Path, out_dir: Path, *extra: str, steps: int = 40):
    return load_config(
        CONFIGS / f"{NAMES[kind]}.toml", tiny(kind, folder, out_dir, *extra, steps=steps)
    )


@pytest.mark.parametrize("kind", ["auto", "hints"])
def test_config_trains_records_the_prior_and_ships(kind, photo_folder, tmp_path, monkeypatch):
    config = config_for(kind, photo_folder, tmp_path / "run", steps=80)
    result = train(config)
    rows = read_csv(tmp_path / "run" / "log.csv")
    losses = [r["loss"] for r in rows]
    assert all(math.isfinite(v) for v in losses)
    assert statistics.mean(losses[-10:]) < 0.9 * statistics.mean(losses[:10])
    assert set(result.metrics) == {"psnr", "ssim", "ab_auc", "images"}
    assert 0 < result.metrics["ab_auc"] <= 1
    prior_file = tmp_path / "run" / "ab_prior.json"
    if kind == "auto":  # counted from the 8 training images (2 held out for validation)
        prior = json.loads(prior_file.read_text())
        assert prior["images"] == 8 and len(prior["weights"]) == 313
        p = torch.tensor(prior["counts"], dtype=torch.float64) / sum(prior["counts"])
        assert prior["lambda"] == 0.5 and min(prior["weights"]) > 0
        # E_p~[w] = 1 (p~ = p smoothed): rare colours weigh more than the common ones
        assert torch.tensor(prior["weights"])[p.argmax()] == min(prior["weights"])
    else:  # the hint config trains its 529-class head without rebalancing
        assert not prior_file.exists()

    # the final model folder is what ships as restora/weights/colorize/<name>/
    install(
        monkeypatch, "colorize.siggraph17", tmp_path / "ship", folder=tmp_path / "run" / "model"
    )
    model = catalogue.load("colorize.siggraph17").model
    assert isinstance(model, ZhangECCV16 if kind == "auto" else ZhangSIGGRAPH17)
    gray = torch.rand(1, 1, 48, 64, generator=torch.Generator().manual_seed(0)).expand(1, 3, 48, 64)
    options = {}
    if kind == "hints":
        hints = tmp_path / "hints.txt"
        hints.write_text("10,10,#c04030\n50,30,#3060c0\n", encoding="utf-8")
        options["hints"] = str(hints)
    colorize = {"size": 64, "method": "model"}  # with hints, "auto" would pick Levin
    out = restora.restore(
        gray.contiguous(), stages=["analyze", "colorize"], colorize=colorize, **options
    )
    record = out.record("colorize")
    assert record.ran and record.method == "model"
    assert ("annealed mean, T = 0.38" if kind == "auto" else "regression") in " ".join(record.notes)
    assert (image_lightness(out.image) - image_lightness(gray)).abs().max() < 0.5


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        ("auto", ["task.options.hints=true"], "takes no hints"),
        ("auto", ["loss.terms.ab_regression=1.0"], "no regression output"),
        ("auto", ['model.name="unet.image2image"', "model.options={}"], "not a Zhang colorizer"),
        ("auto", ['task.options.target_space="rgb"'], "target_space = 'ab'"),
        ("auto", ['loss.colorize.prior="missing_prior.npy"'], "loss.colorize.prior"),
        ("hints", ["loss.terms.ab_regression=0.0"], "does not train"),
        ("hints", ["model.options.num_classes=100"], "no ab bin centres for 100"),
        ("hints", ["loss.colorize.rebalance_lambda=0.0"], "rebalance_lambda"),
    ],
)
def test_bad_combinations_fail_before_training(kind, overrides, message, photo_folder, tmp_path):
    with pytest.raises(ConfigError, match=message):
        check_config(config_for(kind, photo_folder, tmp_path, *overrides))


def test_kind_is_derived_from_the_terms_and_classification_alone_decodes(photo_folder, tmp_path):
    auto = config_for("auto", photo_folder, tmp_path, 'task.kind="auto"')
    assert task_kind(auto) == "colorize" and task_class(auto).kind == "colorize"
    assert task_kind(load_config(CONFIGS / "colorize.toml")) == "image2image"
    # SIGGRAPH17 trained by classification only, decoding by annealed mean, with a prior file
    counts = tmp_path / "prior.json"
    counts.write_text(json.dumps({"counts": [1.0] * 313}), encoding="utf-8")
    check_config(
        config_for(
            "hints",
            photo_folder,
            tmp_path,
            "model.options.num_classes=313",
            'model.options.decode="annealed_mean"',
            "loss.terms.ab_regression=0.0",
            f'loss.colorize.prior="{counts.as_posix()}"',
        )
    )

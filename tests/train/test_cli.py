"""``restora train`` / ``restora eval`` as the CLI registers them (one line each in main.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from tests.train.helpers import CONFIGS, tiny_overrides
from typer.testing import CliRunner

from restora.cli.train_cmd import eval_command, train_command
from restora.train.evaluate import evaluate_folder


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("train")(train_command)
    app.command("eval")(eval_command)
    return app


def test_train_then_eval(app: typer.Typer, photo_folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    overrides = tiny_overrides("denoise", photo_folder, tmp_path / "run", steps=30)
    done = runner.invoke(app, ["train", str(CONFIGS / "denoise.toml"), *overrides])
    assert done.exit_code == 0, done.output
    assert "trained 30 steps" in done.output
    assert (tmp_path / "run" / "model" / "model.safetensors").is_file()

    out = tmp_path / "metrics.json"
    args = [
        "eval",
        str(tmp_path / "run"),
        "--data",
        str(photo_folder),
        "--crop",
        "32",
        "-o",
        str(out),
    ]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    metrics = json.loads(out.read_text())
    assert set(metrics) == {"psnr", "ssim", "images"} and metrics["images"] == 10
    assert f"{metrics['psnr']:.4f}" in done.output
    # the same numbers through the Python API, and a different seed draws different noise
    assert evaluate_folder(tmp_path / "run", photo_folder, crop=32) == metrics
    assert evaluate_folder(tmp_path / "run", photo_folder, crop=32, seed=1) != metrics

    # a model folder outside its run has no run config: the preset must be given
    bare = tmp_path / "bare"
    shutil.copytree(tmp_path / "run" / "model", bare)
    done = runner.invoke(app, ["eval", str(bare), "--data", str(photo_folder)])
    assert done.exit_code == 2
    assert "give the task preset (--task)" in done.output


def test_eval_of_a_model_folder_with_task_and_options(
    app: typer.Typer, photo_folder: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    overrides = tiny_overrides("sr", photo_folder, tmp_path / "run", steps=5)
    assert runner.invoke(app, ["train", str(CONFIGS / "sr.toml"), *overrides]).exit_code == 0
    model = tmp_path / "run" / "model"
    (tmp_path / "run" / "config.toml").unlink()  # only config.json + model.safetensors left
    done = runner.invoke(
        app,
        ["eval", str(model), "--task", "sr", "--option", "scale=2", "--data", str(photo_folder)],
    )
    assert done.exit_code == 0, done.output
    assert "psnr" in done.output and "ssim" in done.output


def test_train_reports_bad_configs_in_one_line(app: typer.Typer) -> None:
    done = CliRunner().invoke(app, ["train", str(CONFIGS / "sr.toml"), "optim.lrr=1"])
    assert done.exit_code == 2
    assert "unknown option 'optim.lrr'" in done.output


def test_check_validates_without_training(app: typer.Typer, shared: Path) -> None:
    done = CliRunner().invoke(app, ["train", str(CONFIGS / "damage.toml"), "--check"])
    assert done.exit_code == 0, done.output
    assert "ok" in done.output

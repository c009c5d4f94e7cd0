"""Acceptance 2: for every task preset a 200-step run (the preset's config with a narrowed model
on 32-pixel crops) finishes in under 2 minutes and the training loss falls."""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path

import pytest
from tests.train.helpers import CONFIGS, PRESETS, tiny_overrides

from restora.train import evaluate, load_config, load_trained_model, read_csv, task_class, train
from restora.train.data_setup import build_training_data
from restora.train.distributed import DistInfo


@pytest.mark.parametrize("preset", PRESETS)
def test_200_steps_train_and_the_loss_falls(
    preset: str, photo_folder: Path, tmp_path: Path
) -> None:
    config = load_config(CONFIGS / f"{preset}.toml", tiny_overrides(preset, photo_folder, tmp_path))
    begin = time.perf_counter()
    result = train(config)
    seconds = time.perf_counter() - begin
    print(f"{preset}: 200 steps in {seconds:.1f} s")
    assert seconds < 120
    assert result.step == 200

    rows = read_csv(tmp_path / "log.csv")
    assert [int(r["step"]) for r in rows] == list(range(1, 201))
    losses = [r["loss"] for r in rows]
    assert all(math.isfinite(v) for r in rows for v in r.values())
    first, last = statistics.mean(losses[:20]), statistics.mean(losses[-20:])
    print(f"{preset}: loss {first:.4f} (first 20) -> {last:.4f} (last 20)")
    assert last < 0.8 * first

    cls = task_class(config)
    assert set(result.metrics) == {*cls.metric_names, "images"}
    assert result.metrics["images"] == 2
    # the saved final model (config.json + model.safetensors, EMA weights when enabled) gives
    # exactly the validation metrics the run measured in memory
    model = load_trained_model(tmp_path)
    validation = build_training_data(config, DistInfo()).validation
    assert evaluate(cls, model, validation) == result.metrics

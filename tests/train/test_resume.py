"""Acceptance 4: 100 steps, stop, resume 100 more == 200 straight steps (every logged value and
every final weight bit-identical), including Adam state, EMA, a cosine schedule with warm-up,
dropout and a GAN discriminator."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tests.train.helpers import CONFIGS, tiny_overrides

from restora.train import load_config, read_csv, train

EXTRA = ["save_every=100", "ema=0.99", "schedule.name=cosine", "schedule.warmup=10"]


def _config(preset: str, folder: Path, out: Path):
    return load_config(CONFIGS / f"{preset}.toml", [*tiny_overrides(preset, folder, out), *EXTRA])


def _without_time(rows: list[dict[str, float]]) -> list[dict[str, float]]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.mark.parametrize("preset", ["sr", "edges2image"])
def test_resumed_run_equals_straight_run(preset: str, photo_folder: Path, tmp_path: Path) -> None:
    straight = train(_config(preset, photo_folder, tmp_path / "straight"))

    config = _config(preset, photo_folder, tmp_path / "resumed")
    first = train(config, until=100)
    assert first.step == 100
    assert not (tmp_path / "resumed" / "model").exists()  # stopped: no final model yet
    second = train(config, resume=tmp_path / "resumed")  # the run folder -> checkpoints/latest
    assert second.step == 200

    assert _without_time(first.history + second.history) == _without_time(straight.history)
    assert _without_time(read_csv(tmp_path / "resumed" / "log.csv")) == _without_time(
        read_csv(tmp_path / "straight" / "log.csv")
    )
    assert second.metrics == straight.metrics

    final = tmp_path / "straight" / "checkpoints" / "step_000200"
    resumed = tmp_path / "resumed" / "checkpoints" / "step_000200"
    networks = sorted(p.name for p in final.iterdir() if (p / "model.safetensors").is_file())
    assert "ema" in networks and ("discriminator" in networks) == (preset == "edges2image")
    for name in [*networks]:
        a = load_file(str(final / name / "model.safetensors"))
        b = load_file(str(resumed / name / "model.safetensors"))
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), name
    a, b = (
        load_file(str(final / "optim.safetensors")),
        load_file(str(resumed / "optim.safetensors")),
    )
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_resume_without_optimizer_state_would_differ(photo_folder: Path, tmp_path: Path) -> None:
    """The comparison above can fail: restarting from the step-100 weights with fresh Adam
    moments (what a weights-only resume does) gives different losses."""
    config = _config("sr", photo_folder, tmp_path / "run")
    train(config, until=100)
    straight = train(config, resume=tmp_path / "run").history
    state = tmp_path / "run" / "checkpoints" / "step_000100" / "optim.safetensors"
    tensors = load_file(str(state))
    moments = {k: torch.zeros_like(v) if "exp_avg" in k else v for k, v in tensors.items()}
    from safetensors.torch import save_file

    save_file(moments, str(state))
    tampered = train(config, resume=tmp_path / "run" / "checkpoints" / "step_000100").history
    assert _without_time(tampered)[0]["loss"] == _without_time(straight)[0]["loss"]
    assert [r["loss"] for r in tampered[1:]] != [r["loss"] for r in straight[1:]]


def test_resume_applies_a_changed_learning_rate(photo_folder: Path, tmp_path: Path) -> None:
    """Fine-tuning from a checkpoint with a new ``optim.lr`` uses the new rate, not the saved."""
    out = tmp_path / "run"
    train(_config("sr", photo_folder, out), until=100)
    saved_lr = load_config(CONFIGS / "sr.toml", tiny_overrides("sr", photo_folder, out)).optim.lr
    lowered = load_config(
        CONFIGS / "sr.toml",
        [*tiny_overrides("sr", photo_folder, out), *EXTRA, f"optim.lr={saved_lr / 4}"],
    )
    resumed = train(lowered, resume=out).history
    same = train(_config("sr", photo_folder, tmp_path / "same"), until=101).history
    assert resumed[0]["step"] == same[-1]["step"]  # the saved rate's lr at that same step
    assert resumed[0]["lr"] == pytest.approx(same[-1]["lr"] / 4, rel=1e-6)

"""Acceptance 5: ``torchrun --nproc_per_node 2 -m restora.train`` trains with DDP (gloo, CPU),
each rank on its half of every global batch, and only rank 0 logs and writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.train.helpers import CONFIGS, tiny_overrides

from restora.train import load_config, read_csv, train

ROOT = Path(__file__).resolve().parents[2]


def _torchrun(preset: str, overrides: list[str]) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "restora.train",
        str(CONFIGS / f"{preset}.toml"),
        *overrides,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    if done.returncode != 0:
        pytest.fail(f"torchrun failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def test_two_ranks_equal_one_process_on_the_whole_batch(photo_folder: Path, tmp_path: Path) -> None:
    """EDSR has no BatchNorm, so DDP over two halves of each batch of 4 computes the same
    averaged gradient as one process on the whole batch: the losses agree to float rounding.
    (Overlapping or wrongly split shards would give different losses from step 1.)"""
    overrides = tiny_overrides("sr", photo_folder, tmp_path / "ddp", steps=10) + ["save_every=5"]
    done = _torchrun("sr", overrides)
    assert done.stdout.count("trained 10 steps") == 1  # rank 0 only
    rows = read_csv(tmp_path / "ddp" / "log.csv")
    assert [int(r["step"]) for r in rows] == list(range(1, 11))  # one writer, no duplicates
    assert (
        tmp_path / "ddp" / "checkpoints" / "step_000010" / "model" / "model.safetensors"
    ).is_file()

    single = train(
        load_config(
            CONFIGS / "sr.toml", tiny_overrides("sr", photo_folder, tmp_path / "one", steps=10)
        )
    )
    for ddp_row, one_row in zip(rows, single.history, strict=True):
        assert ddp_row["loss"] == pytest.approx(one_row["loss"], rel=1e-5, abs=1e-7)
        assert ddp_row["lr"] == one_row["lr"]


def test_gan_task_runs_under_ddp(photo_folder: Path, tmp_path: Path) -> None:
    """Generator and discriminator steps (BatchNorm, dropout, EMA) under DDP on two ranks."""
    overrides = tiny_overrides("edges2image", photo_folder, tmp_path, steps=4) + ["ema=0.9"]
    done = _torchrun("edges2image", overrides)
    assert done.stdout.count("trained 4 steps") == 1
    rows = read_csv(tmp_path / "log.csv")
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]
    assert all(r["d_loss"] > 0 for r in rows)
    final = tmp_path / "checkpoints" / "step_000004"
    assert {p.name for p in final.iterdir() if p.is_dir()} == {"model", "ema", "discriminator"}

"""The trainer's pieces: schedules, data feed sharding, EMA, CSV logs, checkpoints, evaluation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from restora.data.datasets import ImageFolder
from restora.data.paired import PairedDataset
from restora.data.tasks import build_task
from restora.train import EMA, load_config
from restora.train.config import ScheduleConfig, config_to_toml, resolve_path
from restora.train.feed import StepBatches, shard
from restora.train.logs import CSVLog, read_csv
from restora.train.optim import lr_factor


def test_schedules() -> None:
    cosine = ScheduleConfig(name="cosine", warmup=10, min_factor=0.1)
    assert [lr_factor(cosine, s, 110) for s in (0, 4, 9)] == [0.1, 0.5, 1.0]
    assert lr_factor(cosine, 10, 110) == 1.0
    assert lr_factor(cosine, 109, 110) == pytest.approx(0.1)
    mid = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 50 / 99))
    assert lr_factor(cosine, 60, 110) == pytest.approx(mid)
    step = ScheduleConfig(name="step", step_size=100, gamma=0.5)
    assert [lr_factor(step, s, 1000) for s in (0, 99, 100, 250)] == [1.0, 1.0, 0.5, 0.25]
    assert lr_factor(ScheduleConfig(), 500, 1000) == 1.0


def test_shards_are_disjoint_and_cover_the_batch() -> None:
    parts = [list(shard(12, r, 3)) for r in range(3)]
    assert sorted(sum(parts, [])) == list(range(12))
    with pytest.raises(ValueError, match="not divisible"):
        shard(10, 0, 3)


def _pairs(folder: Path, seed: int = 0) -> PairedDataset:
    return PairedDataset(ImageFolder(folder), build_task("denoise", {}), crop_size=16, seed=seed)


def test_global_batch_does_not_depend_on_the_number_of_processes(photo_folder: Path) -> None:
    one = StepBatches(_pairs(photo_folder), batch_size=4)
    ranks = [StepBatches(_pairs(photo_folder), batch_size=4, rank=r, world_size=2) for r in (0, 1)]
    for step in (0, 1, 7):
        whole = one[step]
        halves = [feed[step] for feed in ranks]
        assert torch.equal(whole.input, torch.cat([h.input for h in halves]))
        assert torch.equal(whole.target, torch.cat([h.target for h in halves]))
    # a pure function of (seed, step): asking again (in any order) gives the same batch
    assert torch.equal(one[7].input, StepBatches(_pairs(photo_folder), batch_size=4)[7].input)
    assert not torch.equal(
        one[7].input, StepBatches(_pairs(photo_folder, seed=1), batch_size=4)[7].input
    )


def test_every_image_once_per_epoch(photo_folder: Path) -> None:
    feed = StepBatches(_pairs(photo_folder), batch_size=4)
    count = len(feed.pairs)
    epochs = [sorted(feed.item(p)[1] for p in range(e * count, (e + 1) * count)) for e in range(3)]
    assert all(order == list(range(count)) for order in epochs)
    orders = [[feed.item(p)[1] for p in range(e * count, (e + 1) * count)] for e in range(3)]
    assert orders[0] != orders[1]


def test_ema_warms_up_then_averages() -> None:
    net = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(0.0)
    ema = EMA(net, decay=0.9)
    with torch.no_grad():
        net.weight.fill_(1.0)
    ema.update(net, step=0)  # decay min(0.9, 1/10) = 0.1
    assert ema.model.weight.item() == pytest.approx(0.9)
    ema.update(net, step=1000)  # decay 0.9
    assert ema.model.weight.item() == pytest.approx(0.9 + 0.1 * 0.1)
    assert not ema.model.weight.requires_grad


def test_csv_log_resume_drops_rows_after_the_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    log = CSVLog(path)
    for step in range(1, 6):
        log.write({"step": step, "loss": 1.0 / step})
    resumed = CSVLog(path, resume_step=3)
    resumed.write({"step": 4, "loss": 0.1})
    rows = read_csv(path)
    assert [(r["step"], r["loss"]) for r in rows] == [(1, 1.0), (2, 0.5), (3, 1 / 3), (4, 0.1)]
    with pytest.raises(ValueError, match="header lacks"):
        resumed.write({"step": 5, "loss": 0.1, "extra": 1.0})
    CSVLog(path)  # a fresh run starts a fresh log
    assert not path.exists()


def test_shared_paths_resolve_against_the_shared_folder(shared: Path) -> None:
    assert resolve_path("shared:train/t91") == shared / "train" / "t91"
    assert resolve_path("relative/dir") == Path("relative/dir")


def test_toml_writer_quotes_keys_and_strings(tmp_path: Path) -> None:
    config = load_config(None, ['task.options={ "odd key" = "a \\"b\\"" }', 'out_dir="C:\\\\x"'])
    path = tmp_path / "c.toml"
    path.write_text(config_to_toml(config))
    assert load_config(path) == config


def test_worker_processes_build_the_same_batches(photo_folder: Path) -> None:
    from restora.train.feed import step_loader

    feed = StepBatches(_pairs(photo_folder), batch_size=4)
    inline = [b.input for b in step_loader(feed, start=3, stop=7, workers=0)]
    workers = [b.input for b in step_loader(feed, start=3, stop=7, workers=2)]
    assert len(inline) == 4 and all(torch.equal(a, b) for a, b in zip(inline, workers, strict=True))

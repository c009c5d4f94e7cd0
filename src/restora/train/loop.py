"""The training loop: data feed -> task.step -> EMA -> logs, validation and checkpoints.

Everything random in a step is a function of ``(seed, step, rank)``: batches come from
:mod:`restora.train.feed`, and the torch RNG (dropout, random masks drawn on the fly) is reseeded
before every step. A run resumed from the checkpoint of step ``k`` therefore repeats steps
``k+1 ...`` of an uninterrupted run exactly.
"""

from __future__ import annotations

import json
import logging
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from restora.core.config import config_to_dict
from restora.train.checkpoint import checkpoint_name, load_checkpoint, save_checkpoint
from restora.train.config import TrainConfig, config_to_toml
from restora.train.data_setup import TrainingData, build_training_data
from restora.train.distributed import (
    DistInfo,
    barrier,
    init_distributed,
    mean_over_ranks,
    shutdown_distributed,
)
from restora.train.ema import EMA
from restora.train.evaluate import evaluate
from restora.train.feed import step_loader
from restora.train.logs import CSVLog, Progress, TensorBoardLog
from restora.train.optim import lr_factor, set_lr
from restora.train.tasks import Task, task_class

log = logging.getLogger("restora.train")

MODEL_DIR = "model"
LOG_FILE = "log.csv"
VAL_FILE = "val.csv"


@dataclass
class RunResult:
    """What :func:`train` did: steps completed, the output folder, the last validation
    metrics and (rank 0) the per-step logs of this invocation."""

    step: int
    out_dir: Path
    metrics: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)


def step_seed(seed: int, step: int, rank: int) -> int:
    """The torch seed of ``step`` on ``rank``."""
    return int(
        np.random.SeedSequence([0x7EA1, seed, step, rank]).generate_state(1, np.uint64)[0] >> 1
    )


def seed_everything(seed: int) -> None:
    """Seed python ``random``, numpy's global RNG and torch (model initialization)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def train(
    config: TrainConfig, *, resume: str | Path | None = None, until: int | None = None
) -> RunResult:
    """Train as ``config`` says; ``resume`` a checkpoint (or run folder); stop after step
    ``until`` (default ``config.steps``) with a checkpoint, as an interrupted run would.

    Joins a torchrun process group when ``WORLD_SIZE`` > 1 (see
    :mod:`restora.train.distributed`).
    """
    device = torch.device(config.device)
    dist = init_distributed(device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", dist.local_rank)
        torch.cuda.set_device(device)
    try:
        return _run(config, dist=dist, device=device, resume=resume, until=until)
    finally:
        if dist.distributed:
            shutdown_distributed()


def _run(
    config: TrainConfig,
    *,
    dist: DistInfo,
    device: torch.device,
    resume: str | Path | None,
    until: int | None,
) -> RunResult:
    if config.threads:
        torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    data = build_training_data(config, dist)
    task = task_class(config)(config, device=device, dist=dist, example=data.example.to(device))
    ema = EMA(task.model, decay=config.ema) if config.ema > 0 else None
    start = 0
    if resume is not None:
        start = load_checkpoint(resume, task=task, ema=ema).step
    stop = min(config.steps, config.steps if until is None else until)
    if start > stop:
        raise ValueError(f"checkpoint is at step {start}, past the requested stop {stop}")
    out = Path(config.out_dir)
    recorder = _Recorder(config, out, dist, resumed=resume is not None, start=start, data=data)
    recorder.write_files(task.run_files())
    result = RunResult(step=start, out_dir=out)
    loader = step_loader(data.feed, start=start, stop=stop, workers=config.data.workers)
    began = time.perf_counter()
    try:
        for step, batch in enumerate(loader, start=start):
            torch.manual_seed(step_seed(config.seed, step, dist.rank))
            factor = lr_factor(config.schedule, step, config.steps)
            lr = [set_lr(opt, factor) for opt in task.optimizers().values()][0]
            logs = task.step(batch.to(device))
            if ema is not None:
                ema.update(task.model, step=step)
            logs = mean_over_ranks(logs, dist, device)
            done = step + 1
            row = {"step": done, "lr": lr, **logs, "seconds": time.perf_counter() - began}
            recorder.step(row)
            result.history.append(row)
            result.step = done
            if _due(done, config.val_every, config.steps) and dist.is_main:
                result.metrics = recorder.validate(done, task, ema, data, device)
            if _due(done, config.save_every, stop) and dist.is_main:
                recorder.checkpoint(done, task, ema, data)
        if stop == config.steps and dist.is_main:
            recorder.final_model(task, ema)
    finally:
        recorder.close()
    barrier(dist)
    return result


def _due(done: int, every: int, last: int) -> bool:
    return done == last or (every > 0 and done % every == 0)


class _Recorder:
    """Rank-0 output: config, manifest, CSV/TensorBoard logs, progress, checkpoints."""

    def __init__(
        self,
        config: TrainConfig,
        out: Path,
        dist: DistInfo,
        *,
        resumed: bool,
        start: int,
        data: TrainingData,
    ) -> None:
        self.config, self.out, self.main = config, out, dist.is_main
        self.extra = {
            "seed": config.seed,
            "world_size": dist.world_size,
            "git_commit": _git_commit(),
            "data_sha256": data.manifest["sha256"],
            "config": config_to_dict(config),
        }
        if not self.main:
            return
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.toml").write_text(config_to_toml(config), encoding="utf-8")
        (out / "data_manifest.json").write_text(
            json.dumps(data.manifest, indent=1), encoding="utf-8"
        )
        resume_step = start if resumed else None
        self.csv = CSVLog(out / LOG_FILE, resume_step=resume_step) if config.log.csv else None
        self.val_csv = CSVLog(out / VAL_FILE, resume_step=resume_step)
        self.board = TensorBoardLog(out / "tensorboard", enabled=config.log.tensorboard)
        self.progress = Progress(total=config.steps, start=start, enabled=config.log.progress)

    def write_files(self, files: dict[str, str]) -> None:
        """Write the task's own records (``Task.run_files``) into the run folder."""
        if not self.main:
            return
        for name, text in files.items():
            (self.out / name).write_text(text, encoding="utf-8")

    def step(self, row: dict[str, float]) -> None:
        if not self.main:
            return
        if self.csv is not None:
            self.csv.write(row)
        self.board.write(int(row["step"]), row, prefix="train")
        self.progress.update(int(row["step"]), row["loss"])

    def validate(
        self, done: int, task: Task, ema: EMA | None, data: TrainingData, device: torch.device
    ) -> dict[str, float]:
        if not data.validation:
            return {}
        model = ema.model if ema is not None else task.model
        metrics = evaluate(task, model, data.validation, device=device)
        self.val_csv.write({"step": done, **metrics})
        self.board.write(done, metrics, prefix="val")
        text = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if k != "images")
        log.info("step %d: validation %s", done, text)
        return metrics

    def checkpoint(self, done: int, task: Task, ema: EMA | None, data: TrainingData) -> None:
        folder = self.out / "checkpoints" / checkpoint_name(done)
        batch = self.config.data.batch_size
        extra = {
            **self.extra,
            # both are functions of the step: nothing else is needed to continue exactly
            "sampler": {"kind": "step", "batch_size": batch, "next_position": done * batch},
            "scheduler": {
                "kind": self.config.schedule.name,
                "next_lr_factor": lr_factor(self.config.schedule, done, self.config.steps),
            },
        }
        save_checkpoint(folder, step=done, task=task, ema=ema, config=self.config, extra=extra)

    def final_model(self, task: Task, ema: EMA | None) -> None:
        from restora.models import save_model

        save_model(ema.model if ema is not None else task.model, self.out / MODEL_DIR)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.main:
            self.board.close()
            self.progress.close()


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None

"""Run logs (rank 0 only): a CSV row per step, validation rows, optional TensorBoard, and a
rich progress bar when stderr is a terminal."""

from __future__ import annotations

import csv
import logging
import math
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("restora.train")


class CSVLog:
    """Append rows of scalars to ``path``; the header is fixed by the first row.

    Resuming at ``step`` first drops the rows of later steps (written after the checkpoint the
    run resumes from), so the file always reads as one uninterrupted run. A later row with keys
    the header lacks raises ``ValueError``; missing keys are left empty.
    """

    def __init__(self, path: str | Path, *, resume_step: int | None = None) -> None:
        self.path = Path(path)
        self.fields: list[str] | None = None
        if resume_step is None:
            self.path.unlink(missing_ok=True)
        elif self.path.is_file():
            self._truncate(resume_step)

    def _truncate(self, step: int) -> None:
        with open(self.path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
            fields = list(rows[0].keys()) if rows else None
        kept = [row for row in rows if int(row["step"]) <= step]
        self.fields = fields
        with open(self.path, "w", newline="", encoding="utf-8") as handle:
            if fields:
                writer = csv.DictWriter(handle, fieldnames=fields)
                writer.writeheader()
                writer.writerows(kept)

    def write(self, row: dict[str, Any]) -> None:
        new = self.fields is None
        if new:
            self.fields = list(row)
        extra = [k for k in row if k not in self.fields]  # type: ignore[operator]
        if extra:
            raise ValueError(f"log row has keys {extra} that {self.path.name}'s header lacks")
        with open(self.path, "a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.fields)  # type: ignore[arg-type]
            if new:
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    return repr(value) if isinstance(value, float) and math.isfinite(value) else value


def read_csv(path: str | Path) -> list[dict[str, float]]:
    """Rows of a log written by :class:`CSVLog`, numbers parsed as float (exactly: floats are
    written with ``repr``)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k: float(v) for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]


class TensorBoardLog:
    """Scalars to TensorBoard when the ``tensorboard`` package is installed, else nothing."""

    def __init__(self, folder: Path, *, enabled: bool) -> None:
        self.writer = None
        if not enabled:
            return
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            log.info("tensorboard is not installed: logging to CSV only")
            return
        self.writer = SummaryWriter(str(folder))

    def write(self, step: int, values: dict[str, float], *, prefix: str) -> None:
        if self.writer is not None:
            for key, value in values.items():
                self.writer.add_scalar(f"{prefix}/{key}", value, step)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Progress:
    """A rich progress bar over the steps, only when enabled and stderr is a terminal."""

    def __init__(self, *, total: int, start: int, enabled: bool) -> None:
        self._bar = None
        if not (enabled and sys.stderr.isatty()):
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("train"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("train", total=total, completed=start, info="")

    def update(self, step: int, loss: float) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=step, info=f"loss {loss:.4g}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()

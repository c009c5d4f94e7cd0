"""Progress display: rich bars on a terminal, silence otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(enabled: bool | None = None) -> Iterator[Any]:
    """A rich Progress on stderr, or None when not a TTY (or disabled)."""
    if enabled is None:
        enabled = interactive()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress

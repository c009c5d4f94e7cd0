"""Where restora finds the shared data folder (benchmarks and golden tests only)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path | None:
    """Return ``$RESTORA_SHARED`` or the ``shared`` folder beside the project root, else None.

    The lookup walks up from the current directory and from this file, so it works from a
    checkout, a clone in /tmp with ``../shared`` beside it, and an installed package.
    """
    env = os.environ.get("RESTORA_SHARED")
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    starts = [Path.cwd(), Path(__file__).resolve()]
    for start in starts:
        for parent in [start, *start.parents]:
            candidate = parent.parent / "shared"
            if (parent / "pyproject.toml").is_file() and candidate.is_dir():
                return candidate
    return None

"""Tiny helpers shared by the benchmark scripts: find ../shared, write result tables.

Benchmarks run as scripts (``.venv/bin/python benchmarks/<name>.py``), so this module is
imported as ``_common`` from the script's folder.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import torch

from restora.core.paths import shared_dir

RESULTS = Path(__file__).resolve().parent / "results"


def shared_path(*parts: str) -> Path:
    """A path inside the shared data folder; exits with a clear message when it is missing."""
    root = shared_dir()
    path = root.joinpath(*parts) if root is not None else None
    if path is None or not path.exists():
        sys.exit(f"shared data not found: {'/'.join(parts)} (set $RESTORA_SHARED or add ../shared)")
    return path


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` under /usr/bin/time -v (``env``: its environment, default ours); return
    (wall seconds, peak RSS MB, stdout)."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return hours * 3600 + minutes * 60 + seconds, rss / 1024, proc.stdout


def command_line() -> str:
    """The command that is running, as a user would type it (for the results' provenance),
    with ``OMP_NUM_THREADS`` in front when the environment sets it."""
    threads = os.environ.get("OMP_NUM_THREADS")
    prefix = [f"OMP_NUM_THREADS={threads}"] if threads else []
    return " ".join([*prefix, ".venv/bin/python", *sys.argv])


def network_folder(folder: Path) -> Path:
    """The saved model inside ``folder``: the folder itself, or a training checkpoint's ``ema``
    (else ``model``) part when that holds the ``config.json``."""
    for sub in ("ema", "model"):
        if (folder / sub / "config.json").is_file():
            return folder / sub
    return folder


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def write_table(name: str, rows: list[dict], command: str, notes: str = "") -> tuple[Path, Path]:
    """Write ``results/<name>.md`` (a markdown table) and ``results/<name>.json``; return both paths.

    Columns are the union of the rows' keys in first-seen order; missing cells stay empty.
    Both files record ``command`` (how to reproduce), ``notes``, the date and the environment.
    """
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    env = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "machine": f"{platform.system()} {platform.machine()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    payload = {"name": name, "command": command, "notes": notes, "environment": env, "rows": rows}
    json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    lines = [f"# {name}", "", "Produced by:", "", "```", command, "```", ""]
    if notes:
        lines += [notes.strip(), ""]
    lines += [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
        *("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows),
        "",
        f"Environment: {', '.join(f'{k} {v}' for k, v in env.items())}",
        "",
    ]
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return md_path, json_path

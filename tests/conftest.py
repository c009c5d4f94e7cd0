"""Shared fixtures: the ../shared folder (skip with a reason when absent) and small images."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from restora.cli.main import app
from restora.core.paths import shared_dir


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder; tests that need it skip with a clear reason when it is absent."""
    path = shared_dir()
    if path is None:
        pytest.skip("../shared (or $RESTORA_SHARED) not found: reference data unavailable")
    return path


@pytest.fixture
def rng() -> torch.Generator:
    return torch.Generator().manual_seed(0)


@pytest.fixture
def smooth_image() -> torch.Tensor:
    """A (1, 3, 64, 80) smooth colour image in [0, 1], deterministic."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 80), indexing="ij")
    img = torch.stack([x, y, 0.5 + 0.4 * torch.sin(6.0 * x * y)], 0)
    return img.unsqueeze(0).clamp(0, 1).float()


@pytest.fixture
def cli():
    """Run the CLI in-process: returns (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, [str(a) for a in args])
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def cli_process():
    """Run ``python -m restora`` in a real process (exit codes and tracebacks as users see them)."""

    def run(*args: str, cwd: Path | None = None):
        proc = subprocess.run(
            [sys.executable, "-m", "restora", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=120,
        )
        return proc.returncode, proc.stdout, proc.stderr

    return run

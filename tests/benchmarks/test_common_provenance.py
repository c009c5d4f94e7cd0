"""benchmarks/_common.command_line: the results' provenance names the threads as run."""

from __future__ import annotations

import sys

import pytest

from benchmarks import _common


def test_command_line_names_the_thread_count_it_ran_with(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["benchmarks/damage_real.py", "--threads", "2"])
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert _common.command_line() == (
        "OMP_NUM_THREADS=2 .venv/bin/python benchmarks/damage_real.py --threads 2"
    )
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert _common.command_line() == ".venv/bin/python benchmarks/damage_real.py --threads 2"

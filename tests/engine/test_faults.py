"""Fault injection (a small version of benchmarks/fault_injection.py): SIGKILL at random
points between and inside writes, in single and concurrent runs, and a full disk. After each,
nothing restora did not write is touched, no output is lost or partial, the manifest reads,
and a re-run completes."""

from __future__ import annotations

import errno
import os

import pytest
from benchmarks.faults import harness

from restora.engine.batch import run_batch
from restora.engine.inputs import collect_inputs


@pytest.fixture
def work(tmp_path):
    return harness.make_workload(tmp_path, count=3)


def test_kills_at_random_write_points_lose_and_touch_nothing(work):
    events = harness.count_events(work)
    assert events > 50  # every output: temp open, half-written bytes, fsync, link, unlink ...
    plan = harness.kill_plan(events, singles=6, pairs=3, seed=20)
    trials = harness.run_plan(work, plan)
    assert sum(t.kill_points for t in trials) >= 6  # a resumed run may end before its point
    assert [f"{t.kind}: {p}" for t in trials for p in t.problems] == []


def test_a_disk_turning_read_only_stops_the_run_and_the_rerun_finishes(work):
    events = harness.count_events(work)
    for at in (3, events // 2):
        work.reset_output()
        assert harness.read_only_trial(work, at).problems == []


def test_the_checks_catch_what_they_are_there_for(work):
    status, result = harness.start_child(work).wait()
    assert status == "exited" and harness.expected_rerun(result) == []
    assert harness.check_folder(work, finished=True) == []
    output = work.out / "p0_restored.png"
    data = output.read_bytes()
    output.write_bytes(data[: len(data) // 2])  # a partial file under a final name
    assert any(
        "corrupt output: p0_restored.png" in p for p in harness.check_folder(work, finished=True)
    )
    output.write_bytes(data)
    (work.out / "notes.txt").write_text("changed")
    assert any("touched" in p for p in harness.check_folder(work, finished=True))
    (work.out / "notes.txt").write_bytes(work.foreign[work.out / "notes.txt"])
    (work.out / "restora-manifest.json").write_text("{")
    assert any("manifest" in p for p in harness.check_folder(work, finished=True))
    assert harness.expected_rerun({"failed": {"p1": "x"}, "stopped": None}) != []


class _FullDisk:
    """A file object that raises ENOSPC once ``budget`` bytes were written in the folder."""

    budget = 0

    def __init__(self, handle) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        if len(data) > _FullDisk.budget:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _FullDisk.budget -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.__exit__(*exc)


def test_a_full_disk_stops_the_run_with_a_clear_error_and_the_rerun_finishes(work, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(real_fdopen(fd, mode, *a, **k))
    )
    _FullDisk.budget = 25_000  # room for the first photo's files and manifests, not the rest
    files = collect_inputs([str(work.inputs)]).files
    result = run_batch(files, work.out, work.spec(), save_mask=True, report=True)
    assert result.stopped and "No space left on device" in result.stopped
    assert len(result.done) < 3
    assert harness.check_folder(work, finished=False) == []  # nothing partial, manifest reads
    monkeypatch.setattr(os, "fdopen", real_fdopen)  # space freed
    result = run_batch(files, work.out, work.spec(), save_mask=True, report=True)
    assert [p.stem for p, _ in result.failed] == [harness.FOREIGN_INPUT] and not result.stopped
    assert harness.check_folder(work, finished=True) == []


def test_a_real_full_tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    out = tmp_path / "disk"
    if not harness.mount_tmpfs(out, "2m"):
        pytest.skip("mount is not permitted here")
    try:
        work = harness.make_workload(tmp_path, count=3, size=(96, 64), out=out)
        trial = harness.full_disk_trial(work, leave=20_000)
    finally:
        harness.unmount(out)
    assert trial.problems == []


def test_the_cli_says_the_disk_is_full(cli, work, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(real_fdopen(fd, mode, *a, **k))
    )
    _FullDisk.budget = 0
    code, text, err = cli("restore", work.inputs, "-o", work.out, "--stages", "analyze")
    assert code == 1 and "stopped -> " in text
    assert "restora: error: stopped: No space left on device" in err and "free space" in err

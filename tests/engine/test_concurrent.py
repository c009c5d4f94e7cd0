"""Several runs on one output folder: no lost records, no false failures, each input restored
once; claims of a killed run are taken over, those of a live run waited for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

from tests.helpers import make_photo

from restora.engine.batch import run_batch
from restora.engine.inputs import collect_inputs
from restora.engine.lock import FolderLock, RunToken, run_alive
from restora.engine.manifest import Manifest
from restora.pipeline.spec import PipelineSpec

SPEC = {"stages": ["detect_damage", "inpaint"], "detect": {"method": "classical"}}
SPEC["inpaint"] = {"method": "telea"}


def test_two_processes_at_once_share_the_work(cli, tmp_path):
    folder = tmp_path / "in"
    for i in range(6):
        make_photo(folder / f"p{i}.png", size=(192, 128), seed=i)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "restora", "restore", str(folder), "-o", str(out)]
    args += ["--stages", "denoise", "--set", "denoise.method=nlm", "--denoise-sigma", "25"]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    restored = already = 0
    for code, text, err in results:
        assert code == 0, err  # before: "5 false failures" in one of them
        counts = text.split(" -> ")[0].split(", ")
        assert counts[2] == "0 failed", text
        restored += int(counts[0].split()[0])
        already += int(counts[1].split()[0])
    assert (restored, already) == (6, 6)  # every input restored exactly once
    entries = json.loads((out / "restora-manifest.json").read_text())["entries"]
    assert len(entries) == 6 and all(e["status"] == "done" for e in entries.values())
    code, text, err = cli(*args[3:])  # the next run (in-process) redoes nothing
    assert code == 0 and "0 restored, 6 already done, 0 failed" in text, err


def test_run_tokens_tell_live_runs_from_killed_ones(tmp_path):
    token = RunToken(tmp_path)
    with FolderLock(tmp_path):
        assert run_alive(tmp_path, token.id)
    token.release()
    assert not run_alive(tmp_path, token.id) and not (tmp_path / ".restora" / "runs").exists()
    # a run killed with SIGKILL: its token file stays, unlocked -> stale, and removed
    pid = os.fork()
    if pid == 0:
        try:
            RunToken(tmp_path)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    (stale,) = list((tmp_path / ".restora" / "runs").iterdir())
    with FolderLock(tmp_path):
        assert not run_alive(tmp_path, stale.name)
    assert not stale.exists()


def _claim_for(out, key: str, run_id: str) -> None:
    manifest = Manifest.load(out)
    manifest.mark(key, "started", run=run_id)
    manifest.save()


def test_a_killed_runs_claim_is_taken_over_and_a_live_one_waited_for(tmp_path):
    folder = tmp_path / "in"
    for i in range(3):
        make_photo(folder / f"p{i}.png", seed=i)
    out = tmp_path / "out"
    out.mkdir()
    files = collect_inputs([str(folder)]).files
    spec = PipelineSpec.from_dict(SPEC)
    _claim_for(out, str((folder / "p0.png").resolve()), "4242-deadbeef")  # no such run
    live = RunToken(out)
    _claim_for(out, str((folder / "p1.png").resolve()), live.id)
    notes: list[str] = []
    threading.Timer(1.0, live.release).start()  # the live run ends (without doing p1)
    start = time.monotonic()
    result = run_batch(files, out, spec, on_note=lambda path, text: notes.append(text))
    assert result.ok and sorted(p.name for p in result.done) == ["p0.png", "p1.png", "p2.png"]
    assert time.monotonic() - start >= 1.0  # p1 was left to the live run until it ended
    assert any("another restora run" in n and "waiting" in n for n in notes)

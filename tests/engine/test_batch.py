"""Folder runs: manifest, resume after kill -9, failures reported while the rest carry on."""

import json
import os
import signal
import subprocess
import sys
import time

from tests.helpers import make_photo


def test_failure_on_one_file_does_not_stop_the_rest(cli, tmp_path):
    folder = tmp_path / "in"
    for i in range(3):
        make_photo(folder / f"p{i}.png", seed=i)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    code, out, err = cli("restore", folder, "-o", tmp_path / "out", "--stages", "analyze")
    assert code == 1
    assert "3 restored, 0 already done, 1 failed" in out
    assert "broken.jpg" in err
    manifest = json.loads((tmp_path / "out" / "restora-manifest.json").read_text())["entries"]
    statuses = sorted(e["status"] for e in manifest.values())
    assert statuses == ["done", "done", "done", "failed"]
    # a second run redoes nothing that finished, and retries the failure
    code, out, _ = cli("restore", folder, "-o", tmp_path / "out", "--stages", "analyze")
    assert code == 1 and "0 restored, 3 already done, 1 failed" in out


def test_changed_spec_or_input_is_redone(cli, tmp_path):
    src = make_photo(tmp_path / "in" / "a.png")
    out = tmp_path / "out"
    assert cli("restore", src, "-o", out, "--stages", "analyze")[0] == 0
    code, text, _ = cli("restore", src, "-o", out, "--stages", "analyze")
    assert "1 already done" in text
    code, text, err = cli(
        "restore", src, "-o", out, "--stages", "analyze", "--scale", "2", "--overwrite"
    )
    assert code == 0 and "1 restored" in text, err
    make_photo(src, seed=5)  # the input changed
    code, text, err = cli(
        "restore", src, "-o", out, "--stages", "analyze", "--scale", "2", "--overwrite"
    )
    assert "1 restored" in text, err


def test_kill_9_then_rerun_finishes_the_rest_without_redoing(tmp_path):
    folder = tmp_path / "in"
    names = [f"img{i}.png" for i in range(8)]
    for i, name in enumerate(names):
        make_photo(folder / name, size=(640, 480), seed=i)
    out = tmp_path / "out"
    args = [
        sys.executable,
        "-m",
        "restora",
        "restore",
        str(folder),
        "-o",
        str(out),
        "--stages",
        "denoise",
        "--denoise-sigma",
        "25",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    manifest_path = out / "restora-manifest.json"
    deadline = time.time() + 120
    done_at_kill: list[str] = []
    while time.time() < deadline:
        if manifest_path.exists():
            entries = json.loads(manifest_path.read_text())["entries"]
            done_at_kill = [k for k, e in entries.items() if e["status"] == "done"]
            if len(done_at_kill) >= 2:
                break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= len(done_at_kill) < len(names), "the run must be killed part-way"
    entries = json.loads(manifest_path.read_text())["entries"]
    done_at_kill = [k for k, e in entries.items() if e["status"] == "done"]
    finished = {
        k: os.stat(out / (os.path.basename(k)[:-4] + "_restored.png")).st_mtime_ns
        for k in done_at_kill
    }

    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert (
        f"{len(names) - len(done_at_kill)} restored, {len(done_at_kill)} already done, 0 failed"
        in rerun.stdout
    )
    for key, mtime in finished.items():
        assert os.stat(out / (os.path.basename(key)[:-4] + "_restored.png")).st_mtime_ns == mtime
    assert sorted(p.name for p in out.glob("*_restored.png")) == sorted(
        n[:-4] + "_restored.png" for n in names
    )

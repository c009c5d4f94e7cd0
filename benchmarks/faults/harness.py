"""Fault injection for batch runs: kill restora at chosen points, fill its disk, then check
that nothing was lost, nothing foreign touched, and that a re-run finishes the job.

A *workload* is a folder of small photos, an output folder holding files a user put there
(one of them under the name restora would give an output), and the outputs a clean run makes
(the reference: the stages are deterministic, so every finished output must equal it).

Runs happen in forked children of the calling process (no interpreter start-up per run). A
child can be told to SIGKILL itself at its k-th *event*: an event is the moment just before one
of the system calls restora's writes are made of (``os.open`` of a temporary file, ``fsync``,
``link``, ``replace``, ``unlink``) or the middle of writing a file's bytes (half written).
Counting the events of an undisturbed run gives the range to draw kill points from.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from restora.engine.batch import run_batch
from restora.engine.inputs import collect_inputs
from restora.engine.lock import STATE_DIR
from restora.engine.manifest import MANIFEST_NAME, Manifest
from restora.io import is_temp_name, read_image
from restora.pipeline.spec import PipelineSpec

SPEC = {
    "stages": ["detect_damage", "inpaint"],
    "detect": {"method": "classical"},
    "inpaint": {"method": "telea"},
}
FOREIGN_INPUT = "p2"  # the user put a file of their own where p2's output would go
OUTPUT_KINDS = ("_restored.png", "_mask.png", "_report.png", "_report.json")


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A small photo with a few dark scratches (so detection and inpainting have work)."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x / w, y / h, 0.5 + 0.3 * np.sin(x / 5.0)], -1)
    img = np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1)
    for _ in range(2):
        col = int(rng.integers(2, w - 2))
        img[:, col] = 0.02
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((img * 255).astype(np.uint8)).save(path)


def file_bytes(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Workload:
    root: Path
    inputs: Path
    out: Path
    foreign: dict[Path, bytes] = field(default_factory=dict)
    originals: dict[Path, bytes] = field(default_factory=dict)
    reference: dict[str, np.ndarray] = field(default_factory=dict)  # output name -> pixels
    names: list[str] = field(default_factory=list)

    def spec(self) -> PipelineSpec:
        return PipelineSpec.from_dict(SPEC)

    def reset_output(self) -> None:
        """An output folder holding only the user's files."""
        if self.out.exists():
            for path in sorted(self.out.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
        self.out.mkdir(parents=True, exist_ok=True)
        for path, data in self.foreign.items():
            path.write_bytes(data)


def make_workload(
    root: Path, *, count: int = 4, size: tuple[int, int] = (40, 32), out: Path | None = None
) -> Workload:
    """Photos ``p0..p{count-1}``, user files in the output folder, and the reference outputs."""
    work = Workload(root, root / "in", out or root / "out")
    for i in range(count):
        make_photo(work.inputs / f"p{i}.png", size, seed=i)
    work.names = [f"p{i}" for i in range(count)]
    work.originals = file_bytes(work.inputs)
    work.foreign = {
        work.out / f"{FOREIGN_INPUT}_restored.png": b"the user's own picture, not restora's",
        work.out / "notes.txt": b"the user's notes\n",
        work.out / ".hidden": b"x",
    }
    clean = root / "reference"
    result = _run(work.inputs, clean, work.spec())
    if not result["ok"]:
        raise RuntimeError(f"the reference run failed: {result}")
    for path in clean.glob("*.png"):
        work.reference[path.name] = np.asarray(Image.open(path))
    work.reset_output()
    return work


def _run(inputs: Path, out: Path, spec: PipelineSpec) -> dict:
    files = collect_inputs([str(inputs)]).files
    result = run_batch(files, out, spec, save_mask=True, report=True)
    return {
        "ok": result.ok,
        "done": [p.stem for p in result.done],
        "skipped": [p.stem for p in result.skipped],
        "failed": {p.stem: error for p, error in result.failed},
        "stopped": result.stopped,
    }


# ---- kill points ------------------------------------------------------------------------------
class _Killer:
    """Counts events; at event ``at`` (None: never) SIGKILLs this process, or with
    ``read_only`` makes that and every later write fail with EROFS (the disk went read-only)."""

    def __init__(self, at: int | None, read_only: bool = False) -> None:
        self.at, self.count, self.read_only = at, 0, read_only

    def event(self) -> None:
        self.count += 1
        if self.at is not None and self.count >= self.at:
            if self.read_only:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS))
            os.kill(os.getpid(), signal.SIGKILL)


class _HalfWrites:
    """A file object whose ``write`` is an event in the middle of the data."""

    def __init__(self, handle, killer: _Killer) -> None:
        self._handle, self._killer = handle, killer

    def write(self, data: bytes) -> int:
        half = len(data) // 2
        self._handle.write(data[:half])
        self._handle.flush()
        self._killer.event()
        return half + self._handle.write(data[half:])

    def __getattr__(self, name: str):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.__exit__(*exc)


def install_kill_points(killer: _Killer) -> None:
    """Make every write-related system call of this (child) process an event of ``killer``."""
    for name in ("fsync", "link", "replace", "unlink"):
        original = getattr(os, name)

        def hooked(*args, _original=original, **kwargs):
            killer.event()
            return _original(*args, **kwargs)

        setattr(os, name, hooked)
    original_open, original_fdopen = os.open, os.fdopen

    def hooked_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):  # temp files, locks, tokens
            killer.event()
        return original_open(path, flags, *args, **kwargs)

    def hooked_fdopen(fd, mode="r", *args, **kwargs):
        handle = original_fdopen(fd, mode, *args, **kwargs)
        return _HalfWrites(handle, killer) if "w" in mode else handle

    os.open, os.fdopen = hooked_open, hooked_fdopen


@dataclass
class Child:
    pid: int
    read_fd: int

    def wait(self, timeout: float = 60.0) -> tuple[str, dict | None]:
        """("killed" | "exited" | "hung", the child's result or None)."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                os.close(self.read_fd)
                return "hung", None
            time.sleep(0.005)
        with os.fdopen(self.read_fd, "rb") as pipe:
            data = pipe.read()
        if os.WIFSIGNALED(status):
            return "killed", None
        return "exited", json.loads(data) if data else None


def start_child(
    work: Workload, *, kill_at: int | None = None, count: bool = False, read_only: bool = False
) -> Child:
    """Fork a child that runs the batch (killing itself at event ``kill_at``, or with
    ``read_only`` failing every write from there on); with ``count`` it reports how many
    events the run had."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            os.close(read_fd)
            torch.set_num_threads(1)  # no thread pool inherited across fork is ever used
            killer = _Killer(kill_at, read_only)
            install_kill_points(killer)
            result = _run(work.inputs, work.out, work.spec())
            if count:
                result["events"] = killer.count
            os.write(write_fd, json.dumps(result).encode())
            code = 0
        except BaseException as exc:  # report, never return into the parent's code
            os.write(write_fd, json.dumps({"exception": repr(exc)}).encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd)


# ---- checks ---------------------------------------------------------------------------------
def check_folder(work: Workload, *, finished: bool) -> list[str]:
    """Problems in the output folder: foreign or input files changed, a damaged manifest, an
    output under its final name that is partial or wrong, a finished output missing; with
    ``finished`` also missing outputs, leftover temporary files and wrong final statuses."""
    problems = []
    for path, data in {**work.foreign, **work.originals}.items():
        if not path.exists() or path.read_bytes() != data:
            problems.append(f"touched a file restora did not write: {path.name}")
    notes: list[str] = []
    manifest = Manifest(work.out)
    if (work.out / MANIFEST_NAME).exists():
        manifest = Manifest.load(work.out, notes.append)
        problems += [f"manifest: {note}" for note in notes]
    for name in work.names:
        for kind in OUTPUT_KINDS:
            path = work.out / f"{name}{kind}"
            if path in work.foreign:
                continue
            if not path.exists():
                if finished and name != FOREIGN_INPUT:
                    problems.append(f"missing after the re-run: {path.name}")
                continue
            problems += _check_output(work, path)
    for key, entry in manifest.entries.items():
        if entry.get("status") == "done":
            for output in entry.get("outputs", {}).values():
                if not Path(output).exists():
                    problems.append(f"lost: {Path(output).name} (recorded as done)")
        if finished:
            want = "failed" if Path(key).stem == FOREIGN_INPUT else "done"
            if entry.get("status") != want:
                problems.append(f"{Path(key).name}: status {entry.get('status')}, not {want}")
    if finished:
        leftovers = [p.name for p in work.out.rglob("*") if is_temp_name(p.name)]
        runs = work.out / STATE_DIR / "runs"
        if runs.exists():
            leftovers += [p.name for p in runs.iterdir()]
        problems += [f"left behind: {name}" for name in leftovers]
    return problems


def _check_output(work: Workload, path: Path) -> list[str]:
    if path.suffix == ".json":
        try:
            json.loads(path.read_text())
        except ValueError:
            return [f"corrupt output: {path.name}"]
        return []
    try:
        read_image(path)  # a full decode: truncated data fails
        pixels = np.asarray(Image.open(path))
    except Exception as exc:  # any decode failure is a corrupt output
        return [f"corrupt output: {path.name} ({exc})"]
    expected = work.reference.get(path.name)  # report panels: decoded only (resampling
    # sums in thread-count-dependent order, so a panel can differ by a level)
    if expected is not None and "_report" not in path.name and not np.array_equal(pixels, expected):
        return [f"wrong output: {path.name}"]
    return []


def expected_rerun(result: dict | None) -> list[str]:
    """Problems with a re-run's result: it must finish every input but the one whose output
    name a user file holds, which fails saying so."""
    if result is None or "exception" in result:
        return [f"re-run did not complete: {result}"]
    problems = []
    failed = result["failed"]
    if set(failed) != {FOREIGN_INPUT}:
        problems.append(f"re-run failures: {failed}")
    elif "restora did not write it" not in failed[FOREIGN_INPUT]:
        problems.append(f"unclear refusal: {failed[FOREIGN_INPUT]}")
    if result.get("stopped"):
        problems.append(f"re-run stopped: {result['stopped']}")
    return problems


# ---- trials ---------------------------------------------------------------------------------
@dataclass
class Trial:
    kind: str
    kill_points: int
    seconds: float
    problems: list[str]


def count_events(work: Workload) -> int:
    work.reset_output()
    status, result = start_child(work, count=True).wait()
    if status != "exited" or not result or "events" not in result:
        raise RuntimeError(f"counting run failed: {status} {result}")
    return int(result["events"])


def single_trial(work: Workload, kill_at: tuple[int, ...]) -> Trial:
    """Runs killed one after the other at the events ``kill_at`` (the first from an empty
    output folder, each next from what the last left), checked after each, then a re-run,
    checked."""
    start = time.monotonic()
    problems, killed = [], 0
    for point in kill_at:
        status, _ = start_child(work, kill_at=point).wait()
        killed += status == "killed"
        problems += ["a killed run hung"] if status == "hung" else []
        problems += check_folder(work, finished=False)
    status, result = start_child(work).wait()
    problems += expected_rerun(result if status == "exited" else None)
    problems += check_folder(work, finished=True)
    return Trial("single", killed, time.monotonic() - start, problems)


def concurrent_trial(work: Workload, kills: tuple[int | None, int | None]) -> Trial:
    """Two runs at once into one folder, each killed at its event (None: not killed). A run
    that survives must finish everything (taking over what a killed run held) without a
    failure of its own; then a re-run, checked."""
    start = time.monotonic()
    children = [start_child(work, kill_at=k) for k in kills]
    problems, killed = [], 0
    for child in children:
        status, result = child.wait()
        killed += status == "killed"
        if status == "hung":
            problems.append("a concurrent run hung")
        elif status == "exited":  # not killed: it must have finished everything itself
            problems += [f"concurrent run: {p}" for p in expected_rerun(result)]
    problems += check_folder(work, finished=killed == 0)
    status, result = start_child(work).wait()
    problems += expected_rerun(result if status == "exited" else None)
    problems += check_folder(work, finished=True)
    return Trial("concurrent", killed, time.monotonic() - start, problems)


def kill_plan(events: int, singles: int, pairs: int, seed: int) -> list[tuple[str, tuple]]:
    """Random kill points: ``singles`` single runs, a third of them killed a second time while
    resuming (that point from the first half of the events: less is left to do), and
    ``pairs`` concurrent pairs, one or both killed (each run of a pair does about half the
    work: points from the first 60 % of the events)."""
    rng = random.Random(seed)
    plan: list[tuple[str, tuple]] = []
    for _ in range(singles):
        points = [rng.randint(1, events)]
        if rng.random() < 0.33:
            points.append(rng.randint(1, events // 2))
        plan.append(("single", tuple(points)))
    share = max(1, int(0.6 * events))
    for _ in range(pairs):
        a = rng.randint(1, share)
        b = rng.randint(1, share) if rng.random() < 0.5 else None
        plan.append(("concurrent", (a, b)))
    return plan


def run_plan(work: Workload, plan: list[tuple[str, tuple]]) -> list[Trial]:
    trials = []
    for kind, points in plan:
        work.reset_output()
        if kind == "single":
            trials.append(single_trial(work, points))
        else:
            trials.append(concurrent_trial(work, points))
    return trials


def read_only_trial(work: Workload, at: int) -> Trial:
    """The output folder's disk turns read-only at event ``at``: the run stops saying so,
    leaves nothing partial and a readable manifest; once writable again a re-run completes."""
    start = time.monotonic()
    status, result = start_child(work, kill_at=at, read_only=True).wait()
    problems = []
    said = (result or {}).get("stopped") or (result or {}).get("exception") or ""
    if status != "exited" or result is None:
        problems.append(f"read-only: the run did not end cleanly: {status}")
    elif said and "Read-only file system" not in said:
        problems.append(f"read-only: unclear error: {said}")
    problems += check_folder(work, finished=False)
    status, result = start_child(work).wait()
    problems += expected_rerun(result if status == "exited" else None)
    problems += check_folder(work, finished=True)
    return Trial("read-only disk", 0, time.monotonic() - start, problems)


# ---- full disk --------------------------------------------------------------------------------
def mount_tmpfs(path: Path, size: str) -> bool:
    """Mount a tmpfs of ``size`` at ``path``; False when this process may not."""
    import subprocess

    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
    )
    return done.returncode == 0


def unmount(path: Path) -> None:
    import subprocess

    subprocess.run(["umount", str(path)], capture_output=True)


def fill(path: Path, leave: int) -> Path:
    """Fill the file system of ``path`` with one file, leaving about ``leave`` bytes free."""
    filler = path / "filler.bin"
    free = os.statvfs(path).f_bavail * os.statvfs(path).f_frsize
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * max(0, free - leave))
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def full_disk_trial(work: Workload, leave: int) -> Trial:
    """The output folder's disk fills up part-way: the run stops with a clear error, leaves no
    partial output and a readable manifest; after space is freed a re-run completes."""
    start = time.monotonic()
    work.reset_output()
    filler = fill(work.out, leave)
    work.foreign[filler] = filler.read_bytes()
    status, result = start_child(work).wait()
    problems = []
    if status != "exited" or result is None or "exception" in result:
        problems.append(f"full disk: the run did not end cleanly: {status} {result}")
    elif not result.get("stopped") or "No space left on device" not in result["stopped"]:
        problems.append(f"full disk: no clear stop: {result}")
    problems += check_folder(work, finished=False)
    del work.foreign[filler]
    filler.unlink()
    status, result = start_child(work).wait()
    problems += expected_rerun(result if status == "exited" else None)
    problems += check_folder(work, finished=True)
    return Trial("full disk", 0, time.monotonic() - start, problems)

"""Fault injection for batch runs: SIGKILL at random points (between and inside writes), in
single and concurrent runs, and full disks; after each, a re-run must finish the job with
nothing lost, nothing corrupted and no file restora did not write touched.

Writes ``results/fault_injection.md`` and ``.json``. Root is needed for the tmpfs runs (full
disk, and a fast output folder); without it they are skipped / run on the normal disk.

    .venv/bin/python benchmarks/fault_injection.py --singles 150 --pairs 60 --full-disk 6
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import torch

from _common import command_line, write_table
from faults import harness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--singles", type=int, default=150, help="single runs killed")
    parser.add_argument("--pairs", type=int, default=60, help="concurrent pairs (1-2 killed)")
    parser.add_argument("--read-only", type=int, default=20, help="disk turns read-only")
    parser.add_argument("--full-disk", type=int, default=6, help="full-disk trials (tmpfs)")
    parser.add_argument("--photos", type=int, default=4, help="photos per run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # children are forked: no thread pools across fork

    root = Path(tempfile.mkdtemp(prefix="restora-faults-"))
    fast = harness.mount_tmpfs(root, "256m")  # fsync on a tmpfs costs nothing
    try:
        rows, failures = run(root, args)
    finally:
        if fast:
            harness.unmount(root)
        shutil.rmtree(root, ignore_errors=True)
    notes = (
        f"{args.photos} photos of 40x32 per run (stages detect_damage (classical) + inpaint "
        "(telea), --save-mask --report: 4 outputs each), restora run in forked children. A kill "
        "point is the moment before one system call of a write (an open for writing: temporary "
        "files, locks, run tokens; fsync, link, replace, unlink) or the middle of a file's "
        "bytes, drawn uniformly from the events of an undisturbed run (a third of single runs "
        "are killed a second time while resuming, at a point from the first half; each run of "
        "a concurrent pair at a point from the first 60 %). Checked after every kill and after "
        "every re-run: files the user put in the output folder and the inputs unchanged, "
        "manifest readable and verified, every output under its final name complete (images "
        "and masks equal to a clean run's, report panels and JSON decoded), outputs recorded "
        "as done present; after the re-run: every input done except the one whose output name "
        "a user file holds (refused, 'restora did not write it'), no temporary file or run "
        "token left; a concurrent run that was not killed must have finished everything "
        "itself without a failure. Read-only disk: from a random event on, every write fails "
        "with EROFS; the run must stop saying 'Read-only file system'. Full disk: a 2 MB tmpfs "
        "filled up to 12-57 kB free; the run must stop saying 'No space left on device'; the "
        "re-run comes after the filler is removed. Output folder on "
        f"{'a tmpfs' if fast else 'the normal disk'}.\n\n"
        + ("Problems found:\n" + "\n".join(f"- {f}" for f in failures) if failures else "")
    )
    md, _ = write_table("fault_injection", rows, command_line(), notes)
    print(md.read_text())


def run(root: Path, args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    work = harness.make_workload(root / "kill", count=args.photos)
    events = harness.count_events(work)
    print(f"{events} kill-point events in an undisturbed run", flush=True)
    plan = harness.kill_plan(events, args.singles, args.pairs, args.seed)
    trials = []
    for start in range(0, len(plan), 25):
        trials += harness.run_plan(work, plan[start : start + 25])
        bad = sum(bool(t.problems) for t in trials)
        print(f"{len(trials)}/{len(plan)} trials, {bad} with problems", flush=True)
    rng = random.Random(args.seed + 7)
    for _ in range(args.read_only):
        work.reset_output()
        trials.append(harness.read_only_trial(work, rng.randint(1, events)))
    trials += full_disk(root, args)
    by_kind: dict[str, list] = defaultdict(list)
    for trial in trials:
        by_kind[trial.kind].append(trial)
    rows = []
    for kind, group in by_kind.items():
        rows.append(
            {
                "scenario": kind,
                "trials": len(group),
                "kill points (SIGKILLs)": sum(t.kill_points for t in group),
                "trials with problems": sum(bool(t.problems) for t in group),
                "re-runs completed": sum(not any("re-run" in p for p in t.problems) for t in group),
                "mean seconds per trial": round(sum(t.seconds for t in group) / len(group), 3),
            }
        )
    rows.append(
        {
            "scenario": "total",
            "trials": len(trials),
            "kill points (SIGKILLs)": sum(t.kill_points for t in trials),
            "trials with problems": sum(bool(t.problems) for t in trials),
            "re-runs completed": sum(not any("re-run" in p for p in t.problems) for t in trials),
            "mean seconds per trial": round(sum(t.seconds for t in trials) / len(trials), 3),
        }
    )
    failures = [f"{t.kind}: {p}" for t in trials for p in t.problems]
    return rows, failures


def full_disk(root: Path, args: argparse.Namespace) -> list[harness.Trial]:
    if args.full_disk <= 0 or os.geteuid() != 0:
        return []
    out = root / "disk"
    if not harness.mount_tmpfs(out, "2m"):
        print("cannot mount a tmpfs: full-disk trials skipped")
        return []
    trials = []
    try:
        work = harness.make_workload(root / "full", count=args.photos, size=(96, 64), out=out)
        for i in range(args.full_disk):
            leave = 12_000 + 9_000 * i  # from one output to most of a run
            trials.append(harness.full_disk_trial(work, leave))
    finally:
        harness.unmount(out)
    return trials


if __name__ == "__main__":
    main()

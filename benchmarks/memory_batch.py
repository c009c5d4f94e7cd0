"""Memory over a batch with and without ``keep_freed_memory`` (issue 17.6's allocator setting)
and with ``release_freed_memory`` after each photo.

The ``restore`` command asks glibc to keep freed memory for reuse
(:func:`restora.core.memory.keep_freed_memory`): large tile buffers are then not mapped and
unmapped for every tile. The risk of that setting is fragmentation - memory that is never given
back may grow from photo to photo over a long batch of different sizes. This runs the same
batch of damaged photos of varying sizes (BSDS500 test photos enlarged with Lanczos, damaged by
restora's ``classic`` generator) through ``restora.restore(stages=["detect_damage", "inpaint"])``
in three fresh child processes, one per setting, and reads the process's resident memory after
each photo (``VmRSS``) and its peak so far (``VmHWM``).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/memory_batch.py [--photos 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from _common import command_line, shared_path, write_table

# (width, height): a mix of shapes and sizes, 1.5-8 MP, repeated so that later photos reuse
# (or fail to reuse) what earlier ones freed.
SIZES = [
    (3000, 2000),
    (1500, 1000),
    (2400, 3200),
    (3464, 2309),
    (2000, 2000),
    (1200, 1600),
    (3000, 2000),
    (2600, 1950),
    (1500, 1000),
    (3464, 2309),
]

CHILD = r"""
import json, sys, time
import numpy as np, torch
from PIL import Image
torch.set_num_threads(int(sys.argv[3]))
import restora
from restora.core.memory import keep_freed_memory, release_freed_memory
from restora.data.damage import DAMAGE_PROFILES, synthesize_damage
from restora.io.arrays import numpy_to_tensor

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0

kept = keep_freed_memory() if sys.argv[1] != "default" else False
jobs = json.loads(sys.argv[2])
for index, (path, width, height) in enumerate(jobs):
    photo = Image.open(path).convert("RGB").resize((width, height), Image.LANCZOS)
    clean = numpy_to_tensor(np.asarray(photo, np.float32) / 255)
    damaged, _ = synthesize_damage(clean, rng=np.random.default_rng(index),
                                   config=DAMAGE_PROFILES["classic"])
    del clean, photo
    start = time.perf_counter()
    out = restora.restore(damaged, stages=["detect_damage", "inpaint"])
    seconds = time.perf_counter() - start
    del out, damaged
    if sys.argv[1] == "keep_freed_release":
        release_freed_memory()
    print(json.dumps({"photo": index + 1, "size": f"{width}x{height}",
                      "megapixels": round(width * height / 1e6, 1), "seconds": round(seconds, 1),
                      "rss_gb": round(status("VmRSS:") / 1e9, 2),
                      "peak_gb": round(status("VmHWM:") / 1e9, 2), "setting_took": kept}),
          flush=True)
"""


def run(setting: str, jobs: list, threads: int) -> list[dict]:
    """The child's rows for one allocator setting."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, setting, json.dumps(jobs), str(threads)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    for row in rows:
        print(setting, row, file=sys.stderr)
    return [{"setting": setting, **row} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=len(SIZES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="memory_batch")
    args = parser.parse_args()
    sources = sorted(shared_path("train", "bsds500_test").glob("*.jpg"))
    jobs = [(str(sources[i % len(sources)]), *SIZES[i % len(SIZES)]) for i in range(args.photos)]
    settings = ("default", "keep_freed", "keep_freed_release")
    rows = [row for setting in settings for row in run(setting, jobs, args.threads)]
    last = {r["setting"]: r for r in rows}
    summary = "; ".join(
        f"{name} {last[name]['rss_gb']} GB resident, {last[name]['peak_gb']} GB peak, "
        f"{sum(r['seconds'] for r in rows if r['setting'] == name):.0f} s in all"
        for name in settings
    )
    notes = (
        f"{args.photos} photos in one process per setting, detect_damage + inpaint. default: "
        "glibc as it comes; keep_freed: restora.core.memory.keep_freed_memory() first; "
        "keep_freed_release: that, and release_freed_memory() after each photo (what the "
        "restore command does). rss_gb: resident memory after the photo (its results freed); "
        f"peak_gb: the process's peak so far. After the last photo: {summary}."
    )
    print(notes)
    write_table(args.name, rows, command_line(), notes)


if __name__ == "__main__":
    main()

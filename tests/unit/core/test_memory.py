"""restora.core.memory: peak RSS and the allocator setting of the restore command."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import numpy as np
import pytest

from restora.core import memory


def test_peak_rss_grows_with_a_large_allocation() -> None:
    before = memory.peak_rss_bytes()
    block = np.ones(64 * 2**20, np.uint8)  # 64 MB, touched
    assert block.sum() == block.size
    assert memory.peak_rss_bytes() >= before
    assert memory.peak_rss_bytes() >= block.nbytes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt is Linux-only")
def test_keep_freed_memory_sets_glibc_malloc(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    class FakeMallopt:
        argtypes: list = []
        restype = None

        def __call__(self, parameter: int, value: int) -> int:
            calls.append((parameter, value))
            return 1

    class FakeLibc:
        mallopt = FakeMallopt()

    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    assert memory.keep_freed_memory() is True
    assert calls == [(-4, 0), (-1, 2**31 - 1)]  # M_MMAP_MAX = 0, M_TRIM_THRESHOLD = 2 GB


@pytest.mark.parametrize("setting", [memory.keep_freed_memory, memory.release_freed_memory])
def test_allocator_settings_are_reported_no_ops_without_glibc(
    setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> None:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert setting() is False
    monkeypatch.setattr(sys, "platform", "darwin")
    assert setting() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt is Linux-only")
def test_keep_freed_memory_takes_on_this_machines_libc() -> None:
    try:
        ctypes.CDLL("libc.so.6").mallopt  # noqa: B018
    except (OSError, AttributeError):
        pytest.skip("no glibc here")
    # In a child process: the setting is process-wide and would outlive this test.
    code = "from restora.core.memory import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim is Linux-only")
def test_release_freed_memory_gives_back_what_keep_freed_memory_kept() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        pytest.skip("no glibc here")
    # In a child process: 400 MB freed stays resident under keep_freed_memory until released.
    code = """
import numpy as np
from restora.core.memory import keep_freed_memory, release_freed_memory

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

assert keep_freed_memory()
block = np.ones(400 * 2**20, np.uint8)
del block
kept = rss()
assert release_freed_memory()
print(kept - rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) > 300 * 2**20

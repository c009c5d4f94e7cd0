"""Process memory: readings for reports (peak RSS) and the allocator settings of the CLI."""

from __future__ import annotations

import ctypes
import resource
import sys
from typing import Any

_M_TRIM_THRESHOLD = -1  # glibc mallopt parameters (malloc.h)
_M_MMAP_MAX = -4


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse rather than hand it back to the system.

    Large photos go through the networks tile by tile, with buffers of tens to hundreds of MB
    per layer. By default glibc maps each such block afresh and unmaps it when freed, so every
    tile page-faults its memory in again: on a 24 MP scan a third of the damage detection's CPU
    time was system time. With no mmap for large blocks and no trimming (this function), the
    same run took 54 s instead of 72 s, with peak RSS 2.65 GB instead of 2.2 GB (the damage
    model card). Process-wide and irreversible: the ``restore`` command calls it once; library
    callers may call it themselves. Over a batch it costs memory: 10 photos of 1.5-8 MP
    (``benchmarks/memory_batch.py``) peaked at 2.93 GB (3.59 GB in a first run) against 2.37 GB
    with glibc's defaults, and ran 15 % faster (234 s against 276 s).

    Returns:
        True when the setting took; False where there is no glibc ``mallopt`` (macOS, Windows,
        musl), where nothing changes.
    """
    mallopt = _glibc("mallopt", [ctypes.c_int, ctypes.c_int])
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))


def release_freed_memory() -> bool:
    """Hand the memory malloc holds free back to the system now (glibc ``malloc_trim(0)``).

    With :func:`keep_freed_memory`, what one photo freed stays resident for the next. Calling
    this between photos gives it back (``benchmarks/memory_batch.py``, 10 photos of 1.5-8 MP:
    0.44 GB resident after each photo instead of 2.9 GB) but does not cure fragmentation: the
    batch's peak still grew, to 3.42 GB (2.93 GB without trimming, 2.37 GB with glibc's
    defaults). The ``restore`` command therefore does not call it; a long-lived process that
    must hold little memory between photos (a web worker) may.

    Returns:
        True where glibc's ``malloc_trim`` exists (whether or not it found memory to give
        back); False elsewhere, where nothing happens.
    """
    malloc_trim = _glibc("malloc_trim", [ctypes.c_size_t])
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True


def _glibc(name: str, argtypes: list) -> Any:
    """glibc's function ``name`` (returning int) with its argument types; None off Linux or
    where the C library has no such function."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL("libc.so.6"), name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = argtypes, ctypes.c_int
    return function

"""`Store`: the manifest of one output folder, read and changed only under its folder lock, so
that concurrent runs never lose each other's records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from restora.engine.lock import FolderLock
from restora.engine.manifest import Manifest, NoteFn, read_checksum

T = TypeVar("T")


class Store:
    """``store.update(fn)``: lock the folder, load the manifest, ``fn(manifest)``, save it if
    ``fn`` changed it (or the load repaired it), unlock; returns ``fn``'s result.

    The manifest this store saved last is kept in memory and used again while the file's
    checksum (read from its first bytes) says nobody else has saved since; otherwise it is
    read and verified again. A save that fails (full disk) raises, leaves the file on disk as
    it was, and drops the kept copy.
    """

    def __init__(self, outdir: Path, on_note: NoteFn | None = None) -> None:
        self.outdir = Path(outdir)
        self.on_note = on_note
        self._kept: Manifest | None = None

    def update(self, fn: Callable[[Manifest], T], *, fresh: bool = False) -> T:
        """``fresh``: read the file even when the kept copy is current (and remove leftover
        temporary files of killed saves, which a full read does)."""
        with FolderLock(self.outdir):
            manifest = None if fresh else self._current()
            if manifest is None:
                manifest = Manifest.load(self.outdir, self.on_note)
            self._kept = None
            result = fn(manifest)
            manifest.save_if_changed()
            self._kept = manifest
            return result

    def _current(self) -> Manifest | None:
        kept = self._kept
        if kept is None or kept.digest is None or read_checksum(kept.path) != kept.digest:
            return None
        return kept

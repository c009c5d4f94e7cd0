"""`Store`: the manifest of one output folder, read and changed only under its folder lock, so
that concurrent runs never lose each other's records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from restora.engine.lock import FolderLock
from restora.engine.manifest import Manifest, NoteFn, checksum

T = TypeVar("T")


class Store:
    """``store.update(fn)``: lock the folder, load the manifest from disk, ``fn(manifest)``,
    save it if ``fn`` changed it (or the load repaired it), unlock; returns ``fn``'s result.

    A save that fails (full disk) raises and leaves the manifest on disk as it was.
    """

    def __init__(self, outdir: Path, on_note: NoteFn | None = None) -> None:
        self.outdir = Path(outdir)
        self.on_note = on_note

    def update(self, fn: Callable[[Manifest], T]) -> T:
        with FolderLock(self.outdir):
            manifest = Manifest.load(self.outdir, self.on_note)
            before = checksum(manifest.entries, manifest.files)
            result = fn(manifest)
            if manifest.dirty or checksum(manifest.entries, manifest.files) != before:
                manifest.save()
            return result

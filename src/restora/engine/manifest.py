"""A batch manifest: which inputs are done (with which spec), and which files restora wrote.

``OUTDIR/restora-manifest.json`` holds

- ``entries``: per input (its resolved path) ``status`` (``started`` / ``done`` / ``failed``),
  the run that claimed it, the input's fingerprint, the spec digest, its outputs, the error;
- ``files``: per output (path relative to OUTDIR) the SHA-256 and size of the bytes restora
  wrote there (``sha256``/``size``) and of the bytes it is about to write (``pending``, with the
  temporary file's name), so a file restora did not write is never taken for one of its own;
- ``checksum``: SHA-256 of the two, so a damaged or hand-edited manifest is never trusted.

Every save writes the manifest and a copy, ``OUTDIR/.restora/manifest.bak.json``, each
atomically. `Manifest.load` falls back to the copy when the manifest is damaged (keeping the
damaged file under another name), and rebuilds from the folder when both are: inputs whose
outputs all exist count as done, and no existing file counts as restora's. Read and save only
under `restora.engine.lock.FolderLock` (`restora.engine.store.Store` does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from restora.engine.lock import STATE_DIR
from restora.io import atomic_write_text, is_temp_name

MANIFEST_NAME = "restora-manifest.json"
BACKUP_NAME = "manifest.bak.json"  # inside STATE_DIR
VERSION = 2

NoteFn = Callable[[str], None]


def fingerprint(path: Path) -> dict[str, int]:
    """Size and modification time of an input (cheap; changes when the file is replaced)."""
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def spec_hash(spec_dict: dict[str, Any], extra: dict[str, Any]) -> str:
    text = json.dumps({"spec": spec_dict, **extra}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def data_digest(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def file_digest(path: Path) -> dict[str, Any] | None:
    """``{"sha256", "size"}`` of the file at ``path``; None when there is none (or a folder)."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            size = handle.tell()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return {"sha256": digest.hexdigest(), "size": size}


def _tables(entries: dict, files: dict) -> str:
    return json.dumps({"entries": entries, "files": files}, sort_keys=True, separators=(",", ":"))


# The layout restora writes: this header, then the tables' members, compact and key-sorted,
# so the checksum is verified on the text itself (no re-serialization) and read from the first
# bytes alone (`read_checksum`). Any other layout was written by someone else.
_HEAD = re.compile(r'\{"checksum":"([0-9a-f]{64})","rebuilt":(true|false),"version":2,')


def read_checksum(path: Path) -> str | None:
    """The checksum in the header of the manifest at ``path`` (None if absent or foreign)."""
    try:
        with open(path, encoding="utf-8") as handle:
            match = _HEAD.match(handle.read(160))
    except (OSError, UnicodeDecodeError):
        return None
    return match.group(1) if match else None


class _Damaged(Exception):
    pass


def _parse(path: Path) -> tuple[dict, dict, bool, str | None] | None:
    """``(entries, files, rebuilt, checksum)`` of a manifest file; None if absent; `_Damaged`
    if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Damaged(f"unreadable ({exc})") from None
    match = _HEAD.match(text)
    if match is None:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _Damaged(f"not valid JSON ({exc})") from None
        if isinstance(data, dict) and data.get("version") == 1:  # restora before output hashes
            entries = data.get("entries")
            if isinstance(entries, dict) and all(isinstance(v, dict) for v in entries.values()):
                return entries, {}, False, None  # no file is provably restora's
        raise _Damaged("changed outside restora (not the layout restora writes)")
    tables = "{" + text[match.end() :]
    if hashlib.sha256(tables.encode()).hexdigest() != match.group(1):
        raise _Damaged("checksum mismatch (changed outside restora, or damaged)")
    data = json.loads(tables)
    entries, files = data.get("entries"), data.get("files")
    if not isinstance(entries, dict) or not isinstance(files, dict):
        raise _Damaged("tables missing")
    return entries, files, match.group(2) == "true", match.group(1)


@dataclass
class Manifest:
    """The manifest of one output folder (see the module docstring)."""

    outdir: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    rebuilt: bool = False  # rebuilt from the folder: the next batch adopts complete outputs
    dirty: bool = False  # this load recovered from damage: save even without changes
    digest: str | None = None  # checksum of the tables as last read or saved

    @property
    def path(self) -> Path:
        return self.outdir / MANIFEST_NAME

    @property
    def backup_path(self) -> Path:
        return self.outdir / STATE_DIR / BACKUP_NAME

    @classmethod
    def load(cls, outdir: Path, on_note: NoteFn | None = None) -> Manifest:
        """Read the manifest of ``outdir`` (empty when there is none), recovering from damage
        as the module docstring says; ``on_note`` hears about every recovery."""
        outdir = Path(outdir)
        manifest = cls(outdir)
        manifest._remove_leftovers()
        try:
            parsed = _parse(manifest.path)
        except _Damaged as exc:
            manifest.dirty = True
            kept = manifest._set_aside()
            parsed, how = manifest._recover(), f"{manifest.path} is damaged ({exc})"
            where = f"kept as {kept.name}" if kept else "could not be moved aside"
            if parsed is not None:
                what = f"restored from the copy in {STATE_DIR}/{BACKUP_NAME}"
            else:
                what = "rebuilt from the output folder: inputs whose outputs all exist count as "
                what += "done; files restora cannot prove it wrote are left alone"
                manifest.rebuilt = True
            if on_note:
                on_note(f"{how}; {what} (the damaged file is {where})")
        if parsed is None and not manifest.rebuilt and manifest.backup_path.exists():
            parsed = manifest._recover()
            manifest.dirty = parsed is not None
            if parsed is not None and on_note:
                on_note(f"{manifest.path} is missing: restored from {STATE_DIR}/{BACKUP_NAME}")
        if parsed is not None:
            manifest.entries, manifest.files, manifest.rebuilt, manifest.digest = parsed
        return manifest

    def _recover(self) -> tuple[dict, dict, bool, str | None] | None:
        try:
            return _parse(self.backup_path)
        except _Damaged:
            return None

    def _set_aside(self) -> Path | None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        for n in range(100):
            kept = self.outdir / f"{MANIFEST_NAME}.damaged-{stamp}{f'-{n}' if n else ''}"
            if kept.exists():
                continue
            try:
                os.link(self.path, kept)
                os.unlink(self.path)
            except OSError:
                try:
                    os.replace(self.path, kept)  # no hard links here: kept was free just now
                except OSError:
                    return None
            return kept
        return None

    def _remove_leftovers(self) -> None:
        """Temporary files of a manifest save that was killed (only saves make these names)."""
        for folder, name in ((self.outdir, MANIFEST_NAME), (self.outdir / STATE_DIR, BACKUP_NAME)):
            with contextlib.suppress(OSError):
                for path in folder.glob(f".{name}.*.tmp"):
                    if is_temp_name(path.name):
                        path.unlink()

    def render(self) -> tuple[str, str]:
        """``(file text, checksum)`` of the manifest as it is now."""
        tables = _tables(self.entries, self.files)
        digest = hashlib.sha256(tables.encode()).hexdigest()
        rebuilt = "true" if self.rebuilt else "false"
        head = f'{{"checksum":"{digest}","rebuilt":{rebuilt},"version":{VERSION},'
        return head + tables[1:], digest

    def save_if_changed(self) -> None:
        """`save` when the tables differ from what was read (or the load repaired damage)."""
        rendered = self.render()
        if self.dirty or rendered[1] != self.digest:
            self.save(rendered)

    def save(self, rendered: tuple[str, str] | None = None) -> None:
        """Write the manifest, then its copy (each atomically); ``rendered`` from `render`."""
        text, digest = rendered or self.render()
        atomic_write_text(self.path, text)
        atomic_write_text(self.backup_path, text)
        self.digest, self.dirty = digest, False

    # ---- entries ------------------------------------------------------------------------
    def is_done(self, key: str, fp: dict[str, int], digest: str, extra: Any = None) -> bool:
        """Finished by an earlier run with this input, spec and extras, outputs still there."""
        entry = self.entries.get(key)
        if not entry or entry.get("status") != "done":
            return False
        if entry.get("fingerprint") != fp or entry.get("spec") != digest:
            return False
        if entry.get("extra") != extra:
            return False
        return all(Path(p).exists() for p in entry.get("outputs", {}).values())

    def mark(self, key: str, status: str, **fields: Any) -> None:
        entry = self.entries.setdefault(key, {})
        entry.update(status=status, **fields)
        if status != "failed":
            entry.pop("error", None)
        if status != "started":
            entry.pop("run", None)

    # ---- files --------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        """The ``files`` key of ``path``: relative to the output folder when inside it."""
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(os.path.abspath(self.outdir)).as_posix()
        except ValueError:
            return absolute.as_posix()

    def record(self, path: Path) -> dict[str, Any] | None:
        return self.files.get(self.rel(path))

    def wrote(self, path: Path, digest: dict[str, Any] | None) -> bool:
        """True when ``digest`` (of the file at ``path`` now) is bytes restora wrote there."""
        record = self.record(path)
        if record is None or digest is None:
            return False
        known = [record, record.get("pending") or {}]
        return any(
            k.get("sha256") == digest["sha256"] and k.get("size") == digest["size"] for k in known
        )

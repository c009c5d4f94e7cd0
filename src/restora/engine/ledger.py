"""What a batch may do in an output folder, decided on the manifest (under the folder lock).

One input goes through `claim` (skip it, wait for another run, or take it), then `permit`
(may each output be written? record what is about to be written), then `commit` (record what
was written, mark the input done) or `fail`. The rules:

- A file restora did not write is never replaced without ``overwrite``: a file is restora's
  when its SHA-256 and size are those recorded for that path, written (``sha256``) or about to
  be written (``pending``), for the same input.
- A finished result made with other options or from an older version of the input is replaced
  only with ``overwrite``; an unfinished attempt's files (killed or failed run) and files the
  same options would write again (an output was deleted) are replaced freely.
- An input claimed by a run that is still alive is left to it; a claim whose run died is taken
  over, and the temporary files that run left are removed (by the names it recorded).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from restora.core.errors import ImageWriteError, UnsafeOutputError
from restora.engine.lock import run_alive
from restora.engine.manifest import Manifest, data_digest, file_digest
from restora.io import is_temp_name, temp_path_for


@dataclass(frozen=True)
class JobKey:
    """What identifies one input's work: the input, its fingerprint, the spec digest, extras
    (mask and hints fingerprints) and its output paths."""

    key: str
    fingerprint: dict[str, int]
    spec: str
    extra: Any
    targets: tuple[Path, ...]

    @property
    def made(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "spec": self.spec, "extra": self.extra}


@dataclass(frozen=True)
class Claim:
    """``action``: "skip" (done), "busy" (``other`` run is on it) or "go" (ours now)."""

    action: str
    other: str | None = None


@dataclass(frozen=True)
class Write:
    path: Path
    data: bytes
    replace: bool
    temp: Path


def _remove_temp(outdir: Path, record: dict[str, Any] | None) -> None:
    temp = (record or {}).get("pending", {}).get("temp")
    if temp and is_temp_name(Path(temp).name):
        with contextlib.suppress(OSError):
            os.unlink(outdir / temp if not Path(temp).is_absolute() else temp)


def claim(manifest: Manifest, job: JobKey, *, run_id: str, overwrite: bool) -> Claim:
    """Decide what to do with ``job`` and, for "go", mark it started by ``run_id``."""
    key = job.key
    entry = manifest.entries.get(key)
    if not overwrite and manifest.is_done(key, job.fingerprint, job.spec, job.extra):
        return Claim("skip")
    if manifest.rebuilt and entry is None and all(p.exists() for p in job.targets):
        outputs = {t.name: str(t) for t in job.targets}
        manifest.mark(key, "done", outputs=outputs, adopted=True, **job.made)
        return Claim("skip")  # rebuilt manifest: a complete set of outputs counts as done
    if entry and entry.get("status") == "started" and entry.get("run") not in (None, run_id):
        if run_alive(manifest.outdir, entry["run"]):
            return Claim("busy", entry["run"])
    for target in job.targets:  # an earlier attempt's temporary files (killed mid-write)
        record = manifest.record(target)
        _remove_temp(manifest.outdir, record)
        if record is not None:
            record.get("pending", {}).pop("temp", None)
    manifest.mark(key, "started", run=run_id, targets=[str(t) for t in job.targets], **job.made)
    return Claim("go")


def _match(record: dict[str, Any] | None, digest: dict[str, Any] | None) -> str | None:
    """Which recorded bytes the file on disk is: "written", "pending" or None (not restora's)."""
    if record is None or digest is None:
        return None
    for name, known in (("written", record), ("pending", record.get("pending") or {})):
        if known.get("sha256") == digest["sha256"] and known.get("size") == digest["size"]:
            return name
    return None


def _refusal(path: Path, record: dict[str, Any] | None, match: str | None, key: str) -> str:
    hint = "(use --overwrite to replace it)"
    if record is None:
        return f"{path} exists and restora did not write it {hint}"
    if match is None:
        return f"{path} was changed after restora wrote it {hint}"
    if record.get("input") != key:
        return f"{path} holds restora's output for another input, {record.get('input')} {hint}"
    return f"{path} holds a finished result made with other options or input {hint}"


def permit(
    manifest: Manifest,
    job: JobKey,
    files: list[tuple[Path, bytes]],
    *,
    overwrite: bool,
    protected: list[Path],
) -> list[Write]:
    """The writes for ``files`` (each output's path and bytes), with what is about to be
    written recorded as ``pending``. Raises `UnsafeOutputError` (nothing recorded) when an
    output would replace an input or, without ``overwrite``, a file that is not restora's to
    replace (see the module docstring); `ImageWriteError` when an output is a folder."""
    writes, found = [], []
    for path, data in files:
        for other in protected:
            with contextlib.suppress(OSError):
                if path.exists() and os.path.samefile(path, other):
                    raise UnsafeOutputError(f"refusing to write {path}: it is an input")
        if path.is_dir():
            raise ImageWriteError(f"cannot write {path}: it is a folder")
        digest = file_digest(path)
        exists = digest is not None or path.is_symlink()
        record = manifest.record(path)
        match = _match(record, digest)
        ours = (
            match is not None
            and record is not None
            and record.get("input") == job.key
            and (match == "pending" or not record.get("finished") or record.get("made") == job.made)
        )
        if exists and not (overwrite or ours):
            raise UnsafeOutputError(_refusal(path, record, match, job.key))
        writes.append(Write(path, data, replace=exists, temp=temp_path_for(path)))
        found.append((record, digest, match))
    for write, (old, digest, match) in zip(writes, found, strict=True):
        record: dict[str, Any] = {"input": job.key}
        if match == "written" and old is not None:  # what is on disk now stays known
            record.update(digest or {}, made=old.get("made"), finished=old.get("finished"))
        elif match == "pending":
            record.update(digest or {}, finished=False)
        record["pending"] = {**data_digest(write.data), "temp": manifest.rel(write.temp)}
        manifest.files[manifest.rel(write.path)] = record
    return writes


def commit(manifest: Manifest, job: JobKey, written: list[Write], outputs: dict[str, str]) -> None:
    """Record ``written`` as restora's finished outputs for ``job`` and mark the input done."""
    for write in written:
        record = {"input": job.key, **data_digest(write.data), "made": job.made, "finished": True}
        manifest.files[manifest.rel(write.path)] = record
    manifest.mark(job.key, "done", outputs=outputs, **job.made)


def fail(manifest: Manifest, job: JobKey, error: str) -> None:
    """Mark the input failed (files it wrote stay recorded as pending: a re-run may replace
    them)."""
    manifest.mark(job.key, "failed", error=error, **job.made)

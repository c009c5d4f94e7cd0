"""Restore many files into one output folder: checked up front, resumable, safe to run twice
at once, never replacing a file restora did not write; one failure never stops the rest.

A run first checks everything it can (`restora.engine.preflight`: usage errors, nothing
processed). Then, input by input: claim it in the manifest (skip it when an earlier run
finished it with the same spec, leave it to a live run that holds it), restore and encode its
outputs in memory, record what is about to be written, write each file atomically, record it as
written and the input as done (`restora.engine.ledger` has the rules). Inputs another run holds
are waited for at the end and taken over if that run dies. A killed run loses at most the input
in progress; its partial outputs (recorded as pending) are replaced by the next run, its
temporary files removed. A full or read-only disk stops the run with a clear message.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from restora.core.errors import RestoraError
from restora.engine.ledger import Claim, JobKey, claim, commit, fail, permit
from restora.engine.lock import STATE_DIR, FolderUnwritableError, RunToken, run_description
from restora.engine.manifest import (
    BACKUP_NAME,
    MANIFEST_NAME,
    Manifest,
    file_digest,
    fingerprint,
    spec_hash,
)
from restora.engine.notices import collect_warnings, noop_notes
from restora.engine.preflight import (
    HINT_SUFFIXES,
    MASK_SUFFIXES,
    Planned,
    UsageError,
    check_hints_use,
    check_inputs,
    check_methods,
    check_output_folder,
    find_per_input,
    prepare_output_folder,
)
from restora.engine.store import Store
from restora.io import atomic_write_bytes
from restora.pipeline.context import ProgressFn
from restora.pipeline.files import FileJob, render_file
from restora.pipeline.spec import PipelineSpec

FileFn = Callable[[Path, str, str | None], None]
NoteFn = Callable[[Path, str], None]
_STOP_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
_POLL_SECONDS = (0.1, 1.0)  # first and longest wait between looks at another run's inputs


@dataclass
class BatchResult:
    """``done`` / ``skipped`` / ``failed`` inputs; ``stopped`` says why the run stopped early
    (full or read-only disk), None when it went through."""

    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None


@dataclass
class BatchJob:
    """One input: where its outputs go, its spec (with its own hints file), what it needs."""

    file: FileJob
    spec: PipelineSpec
    hints: Path | None = None
    hints_missing: str | None = None  # a hints folder was given, but no file for this input

    @property
    def source(self) -> Path:
        return self.file.source

    def protected(self) -> list[Path]:
        return [p for p in (self.file.source, self.file.mask_in, self.hints) if p is not None]


def find_mask(source: Path, mask: Path | None, single: bool) -> Path | None:
    """The mask for ``source``: a file (single input only) or ``DIR/<stem>_mask.png|<stem>.png``."""
    return find_per_input(source, mask, single, MASK_SUFFIXES, "mask")


def plan_jobs(
    inputs: list[tuple[Path, Path]],
    outdir: Path,
    spec: PipelineSpec,
    *,
    ext: str,
    mask: Path | None = None,
    hints: Path | None = None,
    save_mask: bool = False,
    report: bool = False,
) -> list[BatchJob]:
    """One job per input; `UsageError` when an output would replace an input or two inputs
    would write one file, or when a mask / hints FILE is given for several inputs."""
    jobs = []
    owners: dict[Path, Path] = {}
    sources = {source.resolve() for source, _ in inputs}
    single = len(inputs) == 1
    samples = spec.inpaint.samples if "inpaint" in spec.stages else 1
    for source, rel in inputs:
        file_job = FileJob.plan(
            source,
            outdir / rel,
            ext=ext,
            mask_in=find_mask(source, mask, single),
            save_mask=save_mask,
            report=report,
            samples=samples,
        )
        for target in file_job.targets():
            key = target.resolve()
            if key in sources:
                raise UsageError(f"refusing to write {target}: it is one of the inputs")
            if key in owners:
                raise UsageError(f"{owners[key]} and {source} would both write {target}")
            owners[key] = source
        job = BatchJob(file_job, spec)
        if hints is not None:
            job.hints = find_per_input(source, hints, single, HINT_SUFFIXES, "hints")
            if job.hints is None:
                job.hints_missing = f"no hints file for it in {hints} ({', '.join(HINT_SUFFIXES)})"
            colorize = dataclasses.replace(
                spec.colorize, hints=str(job.hints) if job.hints else None
            )
            job.spec = dataclasses.replace(spec, colorize=colorize)
        jobs.append(job)
    return jobs


def output_filter(
    outdir: Path, on_note: Callable[[str], None] | None = None
) -> Callable[[Path], bool]:
    """``is_output(path)``: True for files the manifest of ``outdir`` records as written by
    restora (same bytes): they are outputs, never inputs, when folders overlap. ``on_note``
    hears about a damaged manifest recovered on the way."""
    if not (outdir / MANIFEST_NAME).is_file() and not (outdir / STATE_DIR / BACKUP_NAME).is_file():
        return lambda _path: False
    manifest: Manifest = Store(outdir, on_note=on_note).update(lambda m: m)

    def is_output(path: Path) -> bool:
        return manifest.record(path) is not None and manifest.wrote(path, file_digest(path))

    return is_output


def _stop_reason(exc: BaseException) -> str | None:
    """The OS error (full disk, quota, read-only) behind ``exc`` that should stop the run."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _STOP_ERRNOS:
            return os.strerror(exc.errno)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    return None


class _Runner:
    """One batch run's state: the store, this run's token, the callbacks, the result."""

    def __init__(
        self,
        outdir: Path,
        token: RunToken,
        *,
        overwrite: bool,
        key_args: tuple[str, bool, bool],
        on_file: FileFn | None,
        on_note: NoteFn | None,
        progress: ProgressFn | None,
    ) -> None:
        self.outdir, self.token, self.overwrite = outdir, token, overwrite
        self.key_args = key_args  # ext, save_mask, report: part of every input's spec digest
        self.on_file = on_file
        self.on_note: NoteFn = on_note or (lambda _path, _text: None)
        self.progress = progress
        self.store = Store(outdir, on_note=lambda text: self.on_note(outdir, text))
        self.result = BatchResult()
        self.waiting_said: set[str] = set()

    def report(self, job: BatchJob, status: str, error: str | None = None) -> None:
        if status == "done":
            self.result.done.append(job.source)
        elif status == "skipped":
            self.result.skipped.append(job.source)
        else:
            self.result.failed.append((job.source, error or "failed"))
        if self.on_file:
            self.on_file(job.source, status, error)

    def job_key(self, job: BatchJob, ext: str, save_mask: bool, report: bool) -> JobKey:
        mask, hints = job.file.mask_in, job.hints
        extra = {
            name: fingerprint(path) for name, path in (("mask", mask), ("hints", hints)) if path
        }
        digest = spec_hash(
            job.spec.to_dict(), {"ext": ext, "save_mask": save_mask, "report": report}
        )
        return JobKey(
            key=str(job.source.resolve()),
            fingerprint=fingerprint(job.source),
            spec=digest,
            extra=extra or None,
            targets=tuple(Path(os.path.abspath(t)) for t in job.file.targets()),
        )

    def run_one(self, job: BatchJob, key: JobKey) -> bool:
        """Restore one input; False when another live run holds it (try again later)."""
        decision: Claim = self.store.update(
            lambda m: claim(m, key, run_id=self.token.id, overwrite=self.overwrite)
        )
        if decision.action == "skip":
            self.report(job, "skipped")
            return True
        if decision.action == "busy":
            if key.key not in self.waiting_said:
                self.waiting_said.add(key.key)
                who = run_description(self.outdir, decision.other)
                self.on_note(job.source, f"another restora run ({who}) is restoring it: waiting")
            return False
        with collect_warnings() as said:
            rendered = render_file(job.file, job.spec, progress=self.progress)
        protected = job.protected()
        writes = self.store.update(
            lambda m: permit(m, key, rendered.files, overwrite=self.overwrite, protected=protected)
        )
        for write in writes:
            atomic_write_bytes(
                write.path,
                write.data,
                overwrite=write.replace,
                protected=protected,
                temp=write.temp,
            )
        outputs = {name: os.path.abspath(path) for name, path in job.file.outputs.items()}
        self.store.update(lambda m: commit(m, key, writes, outputs))
        notes = said + noop_notes(rendered.restoration, job.spec)
        if job.hints_missing:
            notes.append(job.hints_missing)
        for note in notes:
            self.on_note(job.source, note)
        self.report(job, "done")
        return True

    def attempt(self, job: BatchJob, key: JobKey | None) -> bool:
        try:
            key = key or self.job_key(job, *self.key_args)
            return self.run_one(job, key)
        except (RestoraError, ValueError, KeyError, OSError, RuntimeError, MemoryError) as exc:
            message = str(exc) or type(exc).__name__
            stop = _stop_reason(exc)
            if stop is not None:
                fix = "make it writable" if stop == os.strerror(errno.EROFS) else "free space"
                self.result.stopped = (
                    f"stopped: {stop} in {self.outdir} ({message}); {fix} and run again to "
                    "finish the rest"
                )
            if key is not None:
                try:
                    self.store.update(lambda m: fail(m, key, message))
                except (RestoraError, OSError):
                    pass  # the claim stays ours; once this run ends, the next one takes it over
            self.report(job, "failed", message)
            return True


def run_batch(
    inputs: list[tuple[Path, Path]],
    outdir: Path,
    spec: PipelineSpec,
    *,
    ext: str = "png",
    mask: Path | None = None,
    hints: Path | None = None,
    save_mask: bool = False,
    report: bool = False,
    overwrite: bool = False,
    on_file: FileFn | None = None,
    on_note: NoteFn | None = None,
    progress: ProgressFn | None = None,
) -> BatchResult:
    """Restore every input into ``outdir`` (see the module docstring).

    ``hints``: a hints file (one input) or a folder of ``<stem>_hints.png|.txt|.csv``; when
    None, ``spec.colorize.hints`` is used the same way. ``on_file(path, status, error)`` after
    each input (``done``, ``skipped``: finished earlier with the same spec and input, or
    ``failed``); ``on_note(path, text)`` for each no-op and recovery worth saying;
    ``progress(what, done, total)`` from inside the pipeline. Raises `UsageError` (nothing
    processed) for the problems `restora.engine.preflight` checks.
    """
    outdir = Path(outdir)
    check_output_folder(outdir)
    if hints is None and spec.colorize.hints:
        hints = Path(spec.colorize.hints)
    check_methods(spec)
    check_hints_use(spec, hints is not None)
    jobs = plan_jobs(
        inputs, outdir, spec, ext=ext, mask=mask, hints=hints, save_mask=save_mask, report=report
    )
    planned = [Planned(job.source, job.file.mask_in, job.hints) for job in jobs]
    check_inputs(planned, spec, ext=ext)
    prepare_output_folder(outdir)
    try:
        token = RunToken(outdir)
    except FolderUnwritableError as exc:
        raise UsageError(str(exc)) from exc
    with token:
        runner = _Runner(
            outdir,
            token,
            overwrite=overwrite,
            key_args=(ext, save_mask, report),
            on_file=on_file,
            on_note=on_note,
            progress=progress,
        )
        pending: list[tuple[BatchJob, JobKey | None]] = [(job, None) for job in jobs]
        pause = _POLL_SECONDS[0]
        while pending and runner.result.stopped is None:
            busy = []
            for job, key in pending:
                if runner.result.stopped is not None:
                    break
                if not runner.attempt(job, key):
                    busy.append((job, key))
            moved = len(busy) < len(pending)
            pending = busy
            if pending:
                pause = _POLL_SECONDS[0] if moved else min(2 * pause, _POLL_SECONDS[1])
                time.sleep(pause)
        if runner.result.stopped is None:
            try:
                runner.store.update(_forget_rebuild, fresh=True)
            except (RestoraError, OSError):
                pass
    return runner.result


def _forget_rebuild(manifest: Manifest) -> None:
    """After a full pass over a rebuilt manifest, complete outputs are no longer adopted."""
    if manifest.rebuilt:
        manifest.rebuilt, manifest.dirty = False, True


__all__ = ["BatchResult", "UsageError", "output_filter", "plan_jobs", "run_batch"]

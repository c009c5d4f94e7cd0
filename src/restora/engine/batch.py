"""Restore many files: resumable (manifest), one failure never stops the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from restora.core.errors import RestoraError
from restora.engine.manifest import Manifest, fingerprint, spec_hash
from restora.pipeline.context import ProgressFn
from restora.pipeline.files import FileJob, restore_file
from restora.pipeline.spec import PipelineSpec

MASK_SUFFIXES = ("_mask.png", ".png")


@dataclass
class BatchResult:
    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def find_mask(source: Path, mask: Path | None, single: bool) -> Path | None:
    """The mask for ``source``: a file (single input only) or ``DIR/<stem>_mask.png|<stem>.png``."""
    if mask is None:
        return None
    if mask.is_dir():
        for suffix in MASK_SUFFIXES:
            candidate = mask / f"{source.stem}{suffix}"
            if candidate.is_file():
                return candidate
        return None
    if not single:
        raise RestoraError("--mask FILE works with one input; give a folder of masks for many")
    if not mask.is_file():
        raise RestoraError(f"mask not found: {mask}")
    return mask


def plan_jobs(
    inputs: list[tuple[Path, Path]],
    outdir: Path,
    *,
    ext: str,
    mask: Path | None,
    save_mask: bool,
    report: bool,
    samples: int = 1,
) -> list[FileJob]:
    jobs = []
    owners: dict[Path, Path] = {}
    sources = {source.resolve() for source, _ in inputs}
    for source, rel in inputs:
        job = FileJob.plan(
            source,
            outdir / rel,
            ext=ext,
            mask_in=find_mask(source, mask, len(inputs) == 1),
            save_mask=save_mask,
            report=report,
            samples=samples,
        )
        for target in job.targets():
            key = target.resolve()
            if key in sources:
                raise RestoraError(f"refusing to write {target}: it is one of the inputs")
            if key in owners:
                raise RestoraError(f"{owners[key]} and {source} would both write {target}")
            owners[key] = source
        jobs.append(job)
    return jobs


def run_batch(
    inputs: list[tuple[Path, Path]],
    outdir: Path,
    spec: PipelineSpec,
    *,
    ext: str = "png",
    mask: Path | None = None,
    save_mask: bool = False,
    report: bool = False,
    overwrite: bool = False,
    on_file: Callable[[Path, str, str | None], None] | None = None,
    progress: ProgressFn | None = None,
) -> BatchResult:
    """Restore every input into ``outdir``; ``on_file(path, status, error)`` after each one,
    ``progress(what, done, total)`` from inside the pipeline (stages and tiles).

    Status is ``done``, ``skipped`` (finished by an earlier run with the same spec and input)
    or ``failed``. The manifest is written after every file, so a killed run loses at most the
    file in progress, whose partial outputs a re-run replaces.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(
        inputs,
        outdir,
        ext=ext,
        mask=mask,
        save_mask=save_mask,
        report=report,
        samples=spec.inpaint.samples if "inpaint" in spec.stages else 1,
    )
    manifest = Manifest.load(outdir)
    digest = spec_hash(spec.to_dict(), {"ext": ext, "save_mask": save_mask, "report": report})
    result = BatchResult()
    for job in jobs:
        key = str(job.source.resolve())
        fp = fingerprint(job.source)
        mask_fp = fingerprint(job.mask_in) if job.mask_in else None
        if (
            not overwrite
            and manifest.is_done(key, fp, digest)
            and manifest.entries[key].get("mask") == mask_fp
        ):
            result.skipped.append(job.source)
            if on_file:
                on_file(job.source, "skipped", None)
            continue
        replace = overwrite or manifest.was_started(key)
        manifest.mark(
            key,
            "started",
            fingerprint=fp,
            spec=digest,
            mask=mask_fp,
            targets=[str(p) for p in job.targets()],
        )
        try:
            restore_file(job, spec, overwrite=replace, progress=progress)
        except (RestoraError, ValueError, KeyError, OSError, RuntimeError, MemoryError) as exc:
            message = str(exc) or type(exc).__name__
            manifest.mark(key, "failed", error=message)
            result.failed.append((job.source, message))
            if on_file:
                on_file(job.source, "failed", message)
            continue
        manifest.mark(key, "done", outputs=dict(job.outputs))
        result.done.append(job.source)
        if on_file:
            on_file(job.source, "done", None)
    return result

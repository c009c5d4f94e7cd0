"""Restore one file into an output folder: outputs, mask and report written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from restora.core.errors import UnsafeOutputError
from restora.io import atomic_write_bytes, encode_image, encode_mask, read_image, read_mask
from restora.pipeline.context import ProgressFn
from restora.pipeline.report import report_dict, report_panel
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec

OUTPUT_FORMATS = ("png", "jpg", "tif", "webp")
MIN_SIDE = 2  # pixels: the noise estimate (analyze) needs 2x2 patches


@dataclass
class FileJob:
    """Where one input's outputs go."""

    source: Path
    output: Path
    mask_in: Path | None = None
    mask_out: Path | None = None
    report_png: Path | None = None
    report_json: Path | None = None
    sample_outputs: list[Path] = field(default_factory=list)  # samples 2..N (inpaint.samples)
    outputs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def plan(
        cls,
        source: Path,
        outdir: Path,
        *,
        ext: str = "png",
        mask_in: Path | None = None,
        save_mask: bool = False,
        report: bool = False,
        samples: int = 1,
    ) -> FileJob:
        """Output names: ``<stem>_restored.<ext>`` (with N samples: the first, and
        ``<stem>_restored_sample<i>.<ext>`` for i = 2..N), ``<stem>_mask.png``,
        ``<stem>_report.png`` / ``.json``."""
        if ext not in OUTPUT_FORMATS:
            raise ValueError(
                f"output format must be one of {', '.join(OUTPUT_FORMATS)}, got {ext!r}"
            )
        stem = source.stem
        return cls(
            source=source,
            output=outdir / f"{stem}_restored.{ext}",
            mask_in=mask_in,
            mask_out=outdir / f"{stem}_mask.png" if save_mask else None,
            report_png=outdir / f"{stem}_report.png" if report else None,
            report_json=outdir / f"{stem}_report.json" if report else None,
            sample_outputs=[
                outdir / f"{stem}_restored_sample{i}.{ext}" for i in range(2, samples + 1)
            ],
        )

    def targets(self) -> list[Path]:
        single = (self.output, self.mask_out, self.report_png, self.report_json)
        return [p for p in single if p] + list(self.sample_outputs)


@dataclass
class Rendered:
    """One job's outputs, encoded but not written: ``files`` are ``(path, bytes)`` in writing
    order (image, samples, mask, report panel, report JSON)."""

    restoration: Restoration
    files: list[tuple[Path, bytes]]


def check_image_size(height: int, width: int, name: str) -> None:
    """Refuse images the pipeline cannot work on (fewer than `MIN_SIDE` pixels on a side)."""
    if min(height, width) < MIN_SIDE:
        raise ValueError(
            f"{name} is {width}x{height} pixels; restora needs at least {MIN_SIDE} "
            "pixels on each side"
        )


def render_file(
    job: FileJob, spec: PipelineSpec, *, progress: ProgressFn | None = None
) -> Rendered:
    """Read ``job.source``, run the pipeline and encode every output of ``job``; nothing is
    written (the engine writes them, `restore_file` is the plain way)."""
    planned = len(job.sample_outputs) + 1
    given = spec.inpaint.samples if "inpaint" in spec.stages else 1
    if job.sample_outputs and planned != given:
        raise ValueError(f"the job plans {planned} samples but the spec gives {given}")
    loaded = read_image(job.source, max_pixels=spec.max_pixels)
    check_image_size(*loaded.image.shape[-2:], name=f"'{job.source}'")
    restoration = Restoration.start(loaded.image, alpha=loaded.alpha, meta=loaded.meta)
    if job.mask_in is not None:
        restoration.mask = read_mask(job.mask_in, size=tuple(loaded.image.shape[-2:]))
        restoration.mask_source = "user"
    Pipeline(spec, progress=progress).run(restoration)

    files: list[tuple[Path, bytes]] = []
    job.outputs.clear()

    def add(kind: str, path: Path, data: bytes) -> None:
        files.append((path, data))
        job.outputs[kind] = str(path)

    alpha, meta = restoration.alpha, loaded.meta
    add("image", job.output, encode_image(restoration.image, job.output, alpha=alpha, meta=meta))
    for index, (path, sample) in enumerate(
        zip(job.sample_outputs, restoration.samples[1:], strict=True), 2
    ):
        add(f"sample{index}", path, encode_image(sample, path, alpha=alpha, meta=meta))
    if job.mask_out is not None and restoration.mask is not None:
        add("mask", job.mask_out, encode_mask(restoration.mask))
    if job.report_png is not None:
        add("report_png", job.report_png, encode_image(report_panel(restoration), "PNG"))
    if job.report_json is not None:
        job.outputs["report_json"] = str(job.report_json)
        data = report_dict(restoration, spec, source=str(job.source), outputs=job.outputs)
        files.append((job.report_json, json.dumps(data, indent=2).encode("utf-8")))
    return Rendered(restoration, files)


def restore_file(
    job: FileJob,
    spec: PipelineSpec,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
) -> Restoration:
    """Read ``job.source``, run the pipeline, write every output of ``job``.

    Nothing is written when reading or any stage fails; each file is written atomically; no
    output may be an input (the source or the mask), even with ``overwrite``.
    """
    protected = [job.source] + ([job.mask_in] if job.mask_in else [])
    for target in job.targets():
        _check_target(target, protected, overwrite)
    rendered = render_file(job, spec, progress=progress)
    for path, data in rendered.files:
        atomic_write_bytes(path, data, overwrite=overwrite, protected=protected)
    return rendered.restoration


def _check_target(target: Path, protected: list[Path], overwrite: bool) -> None:
    for path in protected:
        if _same_file(target, path):
            raise UnsafeOutputError(f"refusing to write {target}: it is an input")
    if target.exists() and not overwrite:
        raise UnsafeOutputError(f"{target} exists (use --overwrite to replace it)")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.abspath(a)) == Path(os.path.abspath(b))

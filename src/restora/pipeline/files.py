"""Restore one file into an output folder: outputs, mask and report written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from restora.core.errors import UnsafeOutputError
from restora.io import atomic_write_text, read_image, read_mask, write_image, write_mask
from restora.pipeline.context import ProgressFn
from restora.pipeline.report import report_dict, report_panel
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec

OUTPUT_FORMATS = ("png", "jpg", "tif", "webp")


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
    planned = len(job.sample_outputs) + 1
    given = spec.inpaint.samples if "inpaint" in spec.stages else 1
    if job.sample_outputs and planned != given:
        raise ValueError(f"the job plans {planned} samples but the spec gives {given}")
    protected = [job.source] + ([job.mask_in] if job.mask_in else [])
    for target in job.targets():
        _check_target(target, protected, overwrite)
    loaded = read_image(job.source, max_pixels=spec.max_pixels)
    restoration = Restoration.start(loaded.image, alpha=loaded.alpha, meta=loaded.meta)
    if job.mask_in is not None:
        restoration.mask = read_mask(job.mask_in, size=tuple(loaded.image.shape[-2:]))
        restoration.mask_source = "user"
    Pipeline(spec, progress=progress).run(restoration)

    write_image(
        job.output,
        restoration.image,
        alpha=restoration.alpha,
        meta=loaded.meta,
        overwrite=overwrite,
        protected=protected,
    )
    job.outputs["image"] = str(job.output)
    for index, (path, sample) in enumerate(
        zip(job.sample_outputs, restoration.samples[1:], strict=True), 2
    ):
        write_image(
            path,
            sample,
            alpha=restoration.alpha,
            meta=loaded.meta,
            overwrite=overwrite,
            protected=protected,
        )
        job.outputs[f"sample{index}"] = str(path)
    if job.mask_out is not None and restoration.mask is not None:
        write_mask(job.mask_out, restoration.mask, overwrite=overwrite, protected=protected)
        job.outputs["mask"] = str(job.mask_out)
    if job.report_png is not None:
        write_image(
            job.report_png, report_panel(restoration), overwrite=overwrite, protected=protected
        )
        job.outputs["report_png"] = str(job.report_png)
    if job.report_json is not None:
        job.outputs["report_json"] = str(job.report_json)
        data = report_dict(restoration, spec, source=str(job.source), outputs=job.outputs)
        atomic_write_text(job.report_json, json.dumps(data, indent=2), overwrite=True)
    return restoration


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

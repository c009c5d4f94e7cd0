"""Checks made before any image is processed: everything a batch can know to be wrong from its
options, the files they name and the inputs' headers is a usage error (`UsageError`, exit
code 2), not a failure found file by file after minutes of work.

Checked: the output folder (not a file, writable), masks and hint files (readable, the size of
their image, one file only for one input), hints against the stages asked for, and what
``--scale`` makes of each input (the output format's size limit, and the memory the whole
output needs against the memory available).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from restora.core.errors import ImageReadError, RestoraError
from restora.engine.lock import FolderUnwritableError, state_dir
from restora.io import read_hints, read_mask, read_size
from restora.pipeline.spec import PipelineSpec

MASK_SUFFIXES = ("_mask.png", ".png")
HINT_SUFFIXES = ("_hints.png", "_hints.txt", "_hints.csv")
SIDE_LIMITS = {"jpg": 65535, "webp": 16383}  # pixels a side the format can store
# A floor on the whole images a run holds at once, per pixel: the input as float32 RGB (12 B
# per input pixel); the output as float32 RGB, its 8-bit copy and the encoded file (16 B per
# output pixel). Measured peaks are higher (a 6000x4000 output from restora's x4 SR: 50 B per
# output pixel with the tile budget), so a refusal is certain, never a guess.
INPUT_BYTES_PER_PIXEL = 12
OUTPUT_BYTES_PER_PIXEL = 16


class UsageError(RestoraError):
    """The options, or a file they name, cannot work: nothing was processed."""


@dataclass(frozen=True)
class Planned:
    """The per-input files a batch was given: a mask and a hints file (or None)."""

    source: Path
    mask: Path | None
    hints: Path | None


def check_output_folder(outdir: Path) -> None:
    """``outdir`` is a folder, or can be made one, that restora may write into; nothing is
    created (`prepare_output_folder` does that once everything else is checked)."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"output folder '{outdir}' is a file: give a folder with -o")
    existing = Path(os.path.abspath(outdir))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"cannot create output folder '{outdir}': '{existing}' is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(existing) else "permission denied"
        raise UsageError(f"cannot write to output folder '{outdir}': {why}")


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def prepare_output_folder(outdir: Path) -> None:
    """Create ``outdir`` and restora's bookkeeping in it; `UsageError` when that fails."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        state_dir(outdir)
    except FolderUnwritableError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot create output folder '{outdir}': {exc.strerror or exc}") from None


def find_per_input(
    source: Path, given: Path | None, single: bool, suffixes: tuple[str, ...], what: str
) -> Path | None:
    """The ``what`` file for ``source``: ``given`` itself (one input only), or the first of
    ``given/<stem><suffix>`` when ``given`` is a folder (None if there is none)."""
    if given is None:
        return None
    if given.is_dir():
        for suffix in suffixes:
            candidate = given / f"{source.stem}{suffix}"
            if candidate.is_file():
                return candidate
        return None
    if not single:
        example = f"<stem>{suffixes[0]}"
        raise UsageError(
            f"--{what} FILE works with one input; give a folder of {example} files for many"
        )
    if not given.is_file():
        raise UsageError(f"{what} file not found: {given}")
    return given


NON_CLASSICAL_INPAINTERS = ("auto", "restora", "dip")


def check_methods(spec: PipelineSpec) -> None:
    """Method names the spec leaves as free text (the inpainting method) are known ones, and
    an OpenCV super-resolution file (``--sr-model``) can be read."""
    from restora.ops.inpaint import CLASSICAL_INPAINTERS

    if "inpaint" in spec.stages:
        known = [*NON_CLASSICAL_INPAINTERS, *CLASSICAL_INPAINTERS.names()]
        if spec.inpaint.method not in known:
            raise UsageError(
                f"unknown inpainting method {spec.inpaint.method!r} (known: {', '.join(known)})"
            )
    if "upscale" in spec.stages and spec.upscale.method == "opencv":
        from restora.models.sr.opencv_dnn import OpenCVSuperRes

        try:  # the file exists, its name gives the model, OpenCV reads it
            OpenCVSuperRes(spec.upscale.model or "")
        except RestoraError as exc:
            raise UsageError(f"--sr-model: {exc}") from None


def check_hints_use(spec: PipelineSpec, hints_given: bool) -> None:
    if not hints_given:
        return
    if "colorize" not in spec.stages:
        raise UsageError("--hints needs the colorize stage, which --stages leaves out")
    if spec.colorize.keep_monochrome or spec.colorize.method == "none":
        raise UsageError("--hints asks for colour, but colorization is turned off")


def available_memory() -> int | None:
    """Bytes of memory this process can still get (MemAvailable, within a cgroup limit), or
    None where it cannot be read."""
    available = None
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and available is not None:
            available = min(available, max(0, int(limit) - usage))
        break
    return available


def memory_needed(width: int, height: int, scale: int) -> int:
    """A floor on the bytes restoring a ``width`` x ``height`` image at ``scale`` takes (the
    whole images, see `OUTPUT_BYTES_PER_PIXEL`)."""
    out_pixels = width * scale * height * scale
    return width * height * INPUT_BYTES_PER_PIXEL + out_pixels * OUTPUT_BYTES_PER_PIXEL


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"


def check_size(
    source: Path, size: tuple[int, int], spec: PipelineSpec, ext: str, available: int | None
) -> None:
    """What ``--scale`` makes of an input of ``size`` = (width, height) fits the format and
    the memory."""
    width, height = size
    scale = spec.upscale.scale if "upscale" in spec.stages else 1
    out_w, out_h = width * scale, height * scale
    limit = SIDE_LIMITS.get(ext)
    if limit is not None and max(out_w, out_h) > limit:
        raise UsageError(
            f"{source}: the output would be {out_w}x{out_h} pixels, but {ext} stores at most "
            f"{limit} pixels a side (use --format png or tif, or a smaller --scale)"
        )
    need = memory_needed(width, height, scale)
    if available is not None and need > available:
        raise UsageError(
            f"{source}: {width}x{height} at --scale {scale} makes a {out_w}x{out_h} image "
            f"({out_w * out_h / 1e6:.0f} MP), which needs at least {_gb(need)} of memory; "
            f"{_gb(available)} is available (use a smaller --scale)"
        )


def check_inputs(
    planned: list[Planned],
    spec: PipelineSpec,
    *,
    ext: str,
    available: int | None = None,
) -> None:
    """Check every input's header against its mask, hints and output size (see the module
    docstring); raise `UsageError` for the first problem. Inputs whose header cannot be read
    are left for the run to report (they fail alone, exit code 1)."""
    if available is None:
        available = available_memory()
    for item in planned:
        try:
            size = read_size(item.source, max_pixels=spec.max_pixels)
        except ImageReadError:
            continue
        hw = (size[1], size[0])
        if item.mask is not None:
            try:
                read_mask(item.mask, size=hw, max_pixels=spec.max_pixels)
            except (RestoraError, ValueError) as exc:
                raise UsageError(f"mask for {item.source}: {exc}") from None
        if item.hints is not None:
            try:
                read_hints(item.hints, size=hw, max_pixels=spec.max_pixels)
            except (RestoraError, ValueError) as exc:
                raise UsageError(f"hints for {item.source}: {exc}") from None
        check_size(item.source, size, spec, ext, available)

"""Turn CLI arguments (files, folders, globs) into a list of input images, saying what is left
out of a folder and why."""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from restora.core.errors import RestoraError
from restora.engine.lock import STATE_DIR
from restora.engine.manifest import MANIFEST_NAME

IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".tif", ".tiff", ".webp", ".bmp", ".gif",
    ".jp2", ".ppm", ".pgm", ".pbm", ".tga", ".qoi",
}  # fmt: skip
"""Suffixes a folder walk takes (files named one by one are always taken)."""


@dataclass
class Inputs:
    """``files``: ``(path, relative_dir)`` pairs; ``skipped``: ``(path, reason)`` of files a
    folder walk left out."""

    files: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def skip_summary(self, shown: int = 3) -> list[str]:
        """One line per reason: "3 files: not an image (a.txt, b.xcf, c.doc)"."""
        by_reason: dict[str, list[Path]] = {}
        for path, reason in self.skipped:
            by_reason.setdefault(reason, []).append(path)
        lines = []
        for reason, paths in by_reason.items():
            names = ", ".join(p.name for p in paths[:shown]) + (
                ", ..." if len(paths) > shown else ""
            )
            count = f"{len(paths)} file{'s' if len(paths) > 1 else ''}"
            lines.append(f"skipped {count}: {reason} ({names})")
        return lines


def _walk(folder: Path, recursive: bool, inputs: Inputs, is_output: Callable[[Path], bool]):
    walker = folder.rglob("*") if recursive else folder.glob("*")
    for file in sorted(walker):
        own = file.name.startswith(MANIFEST_NAME)  # the manifest, damaged copies set aside
        if own or STATE_DIR in file.relative_to(folder).parts or not file.is_file():
            continue  # restora's own bookkeeping, folders
        if file.name.startswith("."):
            inputs.skipped.append((file, "hidden"))
        elif file.suffix.lower() not in IMAGE_SUFFIXES:
            inputs.skipped.append((file, "not an image file name"))
        elif is_output(file):
            inputs.skipped.append((file, "written by restora (an earlier run's output)"))
        else:
            inputs.files.append((file, file.parent.relative_to(folder)))


def collect_inputs(
    items: list[str],
    *,
    recursive: bool = True,
    is_output: Callable[[Path], bool] | None = None,
) -> Inputs:
    """Inputs from files, folders (walked) and globs.

    ``relative_dir`` keeps a folder's sub-structure so outputs never collide. A folder walk
    leaves out hidden files, files without an image suffix (`IMAGE_SUFFIXES`), restora's
    ``.restora`` folder, and files for which ``is_output`` is True (outputs restora wrote, when
    the output folder is, or is inside, an input folder); each is listed in ``skipped`` with
    its reason. Raises `RestoraError` for a missing input or when nothing is left.
    """
    is_output = is_output or (lambda _path: False)
    inputs = Inputs()
    for item in items:
        path = Path(item)
        if path.is_dir():
            _walk(path, recursive, inputs, is_output)
        elif path.is_file():
            inputs.files.append((path, Path()))
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise RestoraError(f"no files match {item!r}")
            inputs.files.extend((m, Path()) for m in files)
        else:
            raise RestoraError(f"input not found: {item}")
    seen: set[Path] = set()
    unique = []
    for path, rel in inputs.files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, rel))
    inputs.files = unique
    if not unique:
        detail = "; ".join(inputs.skip_summary())
        raise RestoraError("no input images found" + (f" ({detail})" if detail else ""))
    return inputs

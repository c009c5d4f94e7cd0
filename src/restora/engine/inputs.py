"""Turn CLI arguments (files, folders, globs) into a list of input images."""

from __future__ import annotations

import glob
from pathlib import Path

from restora.core.errors import RestoraError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"}


def collect_inputs(items: list[str], *, recursive: bool = True) -> list[tuple[Path, Path]]:
    """Return ``(path, relative_dir)`` pairs: folders are walked (image suffixes only), globs
    expanded; ``relative_dir`` keeps a folder's sub-structure so outputs never collide."""
    found: list[tuple[Path, Path]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            walker = path.rglob("*") if recursive else path.glob("*")
            for file in sorted(walker):
                if file.is_file() and file.suffix.lower() in IMAGE_SUFFIXES:
                    found.append((file, file.parent.relative_to(path)))
        elif path.is_file():
            found.append((path, Path()))
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise RestoraError(f"no files match {item!r}")
            found.extend((m, Path()) for m in files)
        else:
            raise RestoraError(f"input not found: {item}")
    seen: set[Path] = set()
    unique = []
    for path, rel in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, rel))
    if not unique:
        raise RestoraError("no input images found")
    return unique

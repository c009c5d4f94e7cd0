"""`ImageFolder`: clean images from a folder tree, as float32 ``(3, H, W)`` tensors in [0, 1].

Files that cannot be decoded (or are smaller than ``min_size``) are skipped with a logged
warning and recorded in ``ImageFolder.skipped``; nothing is silently dropped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Dataset

from restora.core.errors import ImageReadError
from restora.io import read_image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of an `ImageFolder`, with the reason (unreadable, too small)."""

    path: Path
    reason: str


def list_images(
    root: str | os.PathLike, *, recursive: bool = True, suffixes: Iterable[str] = IMAGE_SUFFIXES
) -> list[Path]:
    """Image files under ``root`` (suffix match, case-insensitive), sorted by path; hidden files
    and folders (names starting with ".") are ignored."""
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"image folder '{base}' does not exist or is not a folder")
    wanted = {s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes}
    pattern = "**/*" if recursive else "*"
    found = [
        p
        for p in base.glob(pattern)
        if p.suffix.lower() in wanted
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(base).parts)
    ]
    return sorted(found)


class ImageFolder(Dataset):
    """Images under a folder (recursive by default), decoded with `restora.io.read_image`.

    ``dataset[i]`` is float32 ``(3, H, W)`` in [0, 1] (gray images replicated to 3 channels,
    alpha dropped); ``dataset.get(i)`` also returns the file path.

    With ``verify=True`` every file is decoded once when the dataset is built, so ``len`` counts
    only usable files and ``skipped`` is complete at once (about 15 ms per 481x321 JPEG). With
    ``verify=False`` files are only listed; an unusable file found while loading is logged,
    recorded in ``skipped`` and replaced by the next usable file (index + 1, wrapping), so
    loading stays deterministic. In ``DataLoader`` worker processes such late records stay in
    the worker's copy.

    Args:
        root: folder to search.
        recursive: search sub-folders too.
        suffixes: file name endings that count as images.
        min_size: images whose shorter side is below this are skipped (0 = keep all).
        cache: keep decoded images in memory (per process).
        verify: decode every file up front (see above).
        max_pixels: passed to `read_image` (larger files are skipped).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        recursive: bool = True,
        suffixes: Iterable[str] = IMAGE_SUFFIXES,
        min_size: int = 0,
        cache: bool = False,
        verify: bool = False,
        max_pixels: int | None = None,
    ) -> None:
        self.root = Path(root)
        self.min_size = int(min_size)
        self.cache = cache
        self._max_pixels = max_pixels
        self._cache: dict[int, torch.Tensor] = {}
        self._bad: set[int] = set()
        self.skipped: list[SkippedFile] = []
        paths = list_images(self.root, recursive=recursive, suffixes=suffixes)
        if verify:
            kept: list[Path] = []
            for path in paths:
                image = self._try_load(path)
                if image is not None:
                    if cache:
                        self._cache[len(kept)] = image
                    kept.append(path)
            paths = kept
        self.paths = paths
        if not self.paths:
            raise ValueError(f"no usable images found under '{self.root}'")

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.get(index)[0]

    def get(self, index: int) -> tuple[torch.Tensor, Path]:
        """``(image (3, H, W) float32 in [0, 1], path)`` of item ``index``; an unusable file is
        replaced by the next usable one."""
        count = len(self.paths)
        if not -count <= index < count:
            raise IndexError(f"index {index} out of range for {count} images")
        index %= count
        for step in range(count):
            i = (index + step) % count
            if i in self._bad:
                continue
            if i in self._cache:
                return self._cache[i], self.paths[i]
            image = self._try_load(self.paths[i])
            if image is None:
                self._bad.add(i)
                continue
            if self.cache:
                self._cache[i] = image
            return image, self.paths[i]
        raise ImageReadError(f"none of the {count} files under '{self.root}' could be used")

    def _try_load(self, path: Path) -> torch.Tensor | None:
        """The image ``(3, H, W)``, or None after logging and recording why it is unusable."""
        try:
            if self._max_pixels is None:
                loaded = read_image(path)
            else:
                loaded = read_image(path, max_pixels=self._max_pixels)
        except (ImageReadError, OSError) as exc:
            self._skip(path, f"unreadable: {exc}")
            return None
        image = loaded.image[0]
        height, width = image.shape[-2:]
        if min(height, width) < self.min_size:
            self._skip(path, f"too small: {width}x{height} < {self.min_size}")
            return None
        return image.contiguous()

    def _skip(self, path: Path, reason: str) -> None:
        log.warning("skipping image '%s' (%s)", path, reason)
        self.skipped.append(SkippedFile(path, reason))

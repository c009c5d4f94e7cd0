"""Held-out photos for the robustness benchmark: fixed lists no restora detector trained on.

restora's detectors trained on BSDS500 *train*, the ImageNet sample and possibly caltech_faces
``image_0001``..``image_0299``. The two splits here avoid all of them:

* ``selection`` — BSDS500 test photos ``[100:200]`` (sorted by name), for choosing variants and
  thresholds. (BSDS500 test ``[:50]`` is the issue-6 held-out set of ``damage_seg.py``.)
* ``report`` — CBSD68 (68), the 11 colour photos of Set14 (``bridge`` and ``man`` are gray;
  ``ppt3`` is a slide, not a photo) and caltech_faces ``image_0300`` and above (46 photos of
  faces never trained on).

Photos are float32 RGB ``(H, W, 3)`` numpy arrays in [0, 1]. BSDS500, CBSD68 and Set14 are
research benchmark images already shown in committed overlays; the caltech faces' terms are
unknown, so no picture of them may be committed (:func:`may_commit_pictures`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from restora.core.paths import shared_dir

from .tones import TONES

SPLITS = ("selection", "report")
SET14_COLOUR = (
    "baboon",
    "barbara",
    "coastguard",
    "comic",
    "face",
    "flowers",
    "foreman",
    "lenna",
    "monarch",
    "pepper",
    "zebra",
)
FIRST_UNSEEN_FACE = 300
# Long sides of the size sweep and how many photos each (large renderings are slow).
SIZE_SWEEP = {300: 4, 1000: 4, 2500: 2, 6000: 1}
LONG_SIDE_RANGE = (300, 1200)
FACE_BOXES = Path(__file__).with_name("face_boxes.json")


def _root(root: Path | None) -> Path:
    root = root if root is not None else shared_dir()
    if root is None:
        raise FileNotFoundError("shared data not found (set $RESTORA_SHARED or add ../shared)")
    return Path(root)


def _listed(folder: Path, pattern: str) -> list[Path]:
    paths = sorted(folder.glob(pattern))
    if not paths:
        raise FileNotFoundError(f"no photos matching {pattern} in {folder}")
    return paths


def face_number(path: Path) -> int:
    """The number in a caltech_faces name (``image_0312.jpg`` -> 312)."""
    return int(path.stem.split("_")[-1])


def unseen_faces(root: Path | None = None) -> list[Path]:
    """caltech_faces ``image_0300`` and above, sorted."""
    folder = _root(root) / "train" / "caltech_faces"
    return [p for p in _listed(folder, "image_*.jpg") if face_number(p) >= FIRST_UNSEEN_FACE]


def training_faces(root: Path | None = None, limit: int = 0) -> list[Path]:
    """caltech_faces below ``image_0300`` (the identities restora's networks trained on, used
    to tune face rules), sorted; the first ``limit`` (0: all)."""
    folder = _root(root) / "train" / "caltech_faces"
    paths = [p for p in _listed(folder, "image_*.jpg") if face_number(p) < FIRST_UNSEEN_FACE]
    return paths[: limit or None]


def split_photos(split: str, root: Path | None = None) -> list[Path]:
    """The fixed photo list of ``split`` (``selection`` or ``report``); raises
    ``FileNotFoundError`` when the shared data is missing."""
    base = _root(root)
    if split == "selection":
        return _listed(base / "train" / "bsds500_test", "*.jpg")[100:200]
    if split == "report":
        cbsd = _listed(base / "data" / "ffdnet_testsets" / "CBSD68", "*.png")
        set14 = [base / "data" / "sr_testsets" / "Set14" / f"{n}.png" for n in SET14_COLOUR]
        missing = [p for p in set14 if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"Set14 photos missing: {missing}")
        return cbsd + set14 + unseen_faces(base)
    raise ValueError(f"unknown split {split!r}; choose from {SPLITS}")


def photo_source(path: Path) -> str:
    """Which set a photo comes from: bsds500_test, cbsd68, set14 or caltech_faces."""
    parts = {p.lower() for p in Path(path).parts}
    for folder, name in (
        ("bsds500_test", "bsds500_test"),
        ("cbsd68", "cbsd68"),
        ("set14", "set14"),
        ("caltech_faces", "caltech_faces"),
    ):
        if folder in parts:
            return name
    raise ValueError(f"{path} is in none of the benchmark's photo sets")


def may_commit_pictures(path: Path) -> bool:
    """Whether pictures made from this photo may be committed (not the caltech faces)."""
    return photo_source(path) != "caltech_faces"


def load_photo(path: Path) -> np.ndarray:
    """A photo as float32 RGB ``(H, W, 3)`` in [0, 1] (gray files are repeated to RGB)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), np.float32) / 255.0


def resize_long_side(photo: np.ndarray, long_side: int) -> np.ndarray:
    """Resample ``photo`` so its long side is ``long_side`` px, aspect kept: area averaging
    when shrinking, Lanczos (8x8, OpenCV) when enlarging — an enlarged photo is softer than a
    real scan of that size would be."""
    h, w = photo.shape[:2]
    factor = long_side / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    if size == (w, h):
        return photo.copy()
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_LANCZOS4
    return np.clip(cv2.resize(photo, size, interpolation=method), 0, 1).astype(np.float32)


def draw_long_side(rng: np.random.Generator, low: int = 300, high: int = 1200) -> int:
    """A long side drawn log-uniformly in ``[low, high]`` px."""
    return int(round(math.exp(rng.uniform(math.log(low), math.log(high)))))


@dataclass(frozen=True)
class TonedFace:
    """A clean toned face photo: ``image`` float32 ``(H, W, 3)`` in [0, 1] and the face box
    ``(x0, y0, x1, y1)`` (half-open, pixels of ``image``)."""

    name: str
    tone: str
    image: np.ndarray
    box: tuple[int, int, int, int]


def face_boxes() -> dict[str, tuple[int, int, int, int]]:
    """Hand-checked face boxes of the unseen caltech faces, in their 448x296 pixels."""
    record = json.loads(FACE_BOXES.read_text(encoding="utf-8"))
    return {name: tuple(box) for name, box in record["boxes"].items()}


def toned_faces(
    count: int, seed: int, *, long_side: int | None = None, root: Path | None = None
) -> list[TonedFace]:
    """``count`` clean face photos (caltech_faces >= 300, never trained on), each rendered in
    a tone of :data:`~.tones.TONES` (cycling through every tone) with its face box; faces are
    taken in a seeded order. ``long_side`` resamples photo and box (default: 448 px as stored).
    No damage and no scan condition: for tests that clean faces come out unchanged."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    boxes = face_boxes()
    paths = [p for p in unseen_faces(root) if p.name in boxes]
    order = np.random.default_rng(seed).permutation(len(paths))
    names = list(TONES)
    faces = []
    for i in range(count):
        path = paths[order[i % len(paths)]]
        tone = names[i % len(names)]
        photo = load_photo(path)
        box = boxes[path.name]
        if long_side is not None:
            factor = long_side / max(photo.shape[:2])
            photo = resize_long_side(photo, long_side)
            box = tuple(int(round(v * factor)) for v in box)
        rng = np.random.default_rng([seed, i])
        faces.append(TonedFace(path.name, tone, TONES[tone](photo, rng), box))
    return faces

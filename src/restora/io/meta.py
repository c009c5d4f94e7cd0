"""What restora remembers about an image file: `ImageMeta`, and `LoadedImage` (tensor + meta)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch

DEFAULT_MAX_PIXELS = 100_000_000
"""Default limit on width * height accepted by the readers (decompression-bomb guard)."""

GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
"""PIL modes of single-channel (optionally + alpha) images; `write_image` keeps these gray."""

TONES = ("color", "monochrome", "sepia")


@dataclass
class ImageMeta:
    """Facts about a decoded image, kept so that outputs can be written like the input.

    ``width``/``height`` are after the EXIF orientation was applied; ``exif`` holds the raw
    EXIF block with its Orientation tag reset to 1 (the rotation is already in the pixels);
    ``orientation`` is the original tag (1 when absent). ``mode`` is the PIL mode of the file
    ("RGB", "L", "LA", "RGBA", "P", "CMYK", "I;16", ...; "LA" also for 16-bit gray+alpha PNG).
    ``bit_depth`` is 8, 16, or 32 (float data). ``tone`` is what the pixels look like:
    "color", "monochrome" or "sepia" (see `detect_tone`). ``frames`` > 1: an animation or a
    multi-page file, of which only the first frame was read.
    """

    source: str | None
    format: str | None
    mode: str
    bit_depth: int
    width: int
    height: int
    has_alpha: bool
    icc_profile: bytes | None = None
    exif: bytes | None = None
    orientation: int = 1
    tone: str = "color"
    notes: list[str] = field(default_factory=list)
    frames: int = 1

    @property
    def is_gray(self) -> bool:
        """True when the file was single-channel gray (with or without alpha)."""
        return self.mode in GRAY_MODES

    def to_dict(self) -> dict:
        """JSON-safe dict for reports: byte fields become their length (or None).

        >>> ImageMeta("a.png", "PNG", "L", 8, 4, 3, False, icc_profile=b"abc").to_dict()["icc_profile"]
        3
        """
        data = asdict(self)
        for key in ("icc_profile", "exif"):
            data[key] = None if data[key] is None else len(data[key])
        data["notes"] = list(self.notes)
        return data


@dataclass
class LoadedImage:
    """A decoded image: ``image`` (1, 3, H, W) float32 RGB in [0, 1] (gray replicated to 3
    channels), ``alpha`` (1, 1, H, W) float32 in [0, 1] or None, and its `ImageMeta`."""

    image: torch.Tensor
    alpha: torch.Tensor | None
    meta: ImageMeta

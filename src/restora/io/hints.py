"""Colour hints for colorization, from a file: a hints image or a text list of points.

Two formats (chosen by the file name: ``.txt`` / ``.csv`` are lists, anything else an image):

- **image** (PNG recommended) of the photo's size: every clearly coloured pixel is a hint of
  that colour; gray pixels (all channels within ``min_chroma`` of each other) and transparent
  pixels (alpha < 0.5) are not. Paint dots or scribbles on a gray copy of the photo or on a
  black, white or transparent canvas (a sepia background would count as hints everywhere).
- **list**: one ``x,y,#rrggbb`` per line, ``x`` the column and ``y`` the row in pixels from
  the top-left corner (0-based). Blank lines and lines starting with ``#`` are skipped;
  spaces around fields are allowed.

Both give ``(colours, mask)``: ``colours`` ``(1, 3, H, W)`` float32 sRGB in [0, 1] (0 where there
is no hint) and ``mask`` ``(1, 1, H, W)`` float32, 1 = hint. Turn them into ab with
``restora.color.hints_to_ab``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch

from restora.core.errors import RestoraError
from restora.io.meta import DEFAULT_MAX_PIXELS
from restora.io.read import read_image

__all__ = ["HintsError", "parse_hint_list", "read_hints"]

_LIST_SUFFIXES = (".txt", ".csv")
_LINE = re.compile(r"^\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*#([0-9a-fA-F]{6})\s*$")


class HintsError(RestoraError, ValueError):
    """A hints file that cannot be used: bad line, point outside the image, wrong size."""


def parse_hint_list(
    text: str, *, size: tuple[int, int], name: str = "<hints>"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Parse ``x,y,#rrggbb`` lines into ``(colours (1, 3, H, W), mask (1, 1, H, W))``.

    ``size`` is the image's ``(H, W)``. A later line for the same pixel replaces an earlier one.
    Raises :class:`HintsError` naming the line for a malformed line or a point outside the
    image, and when the text holds no hint at all.

    >>> colours, mask = parse_hint_list("1,0,#ff0000", size=(2, 3))
    >>> mask[0, 0].tolist(), colours[0, :, 0, 1].tolist()
    ([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [1.0, 0.0, 0.0])
    """
    height, width = int(size[0]), int(size[1])
    colours = torch.zeros(1, 3, height, width)
    mask = torch.zeros(1, 1, height, width)
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(stripped)
        if match is None:
            raise HintsError(f"{name} line {number}: expected 'x,y,#rrggbb', got {stripped!r}")
        x, y = int(match.group(1)), int(match.group(2))
        if not (0 <= x < width and 0 <= y < height):
            raise HintsError(
                f"{name} line {number}: point ({x}, {y}) is outside the {width}x{height} image "
                f"(x in 0..{width - 1}, y in 0..{height - 1})"
            )
        rgb = bytes.fromhex(match.group(3))
        colours[0, :, y, x] = torch.tensor([c / 255.0 for c in rgb])
        mask[0, 0, y, x] = 1.0
        count += 1
    if count == 0:
        raise HintsError(f"{name}: no hints found (expected lines 'x,y,#rrggbb')")
    return colours, mask


def read_hints(
    path: str | os.PathLike,
    *,
    size: tuple[int, int],
    min_chroma: float = 0.05,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read a hints file (see the module docstring) for an image of ``size = (H, W)``.

    Args:
        path: a ``.txt`` / ``.csv`` point list or a hints image.
        size: ``(H, W)`` of the photo the hints belong to.
        min_chroma: an image pixel is a hint when ``max(R, G, B) - min(R, G, B)`` (in [0, 1])
            is at least this.
        max_pixels: decompression-bomb guard for hints images.

    Returns:
        ``(colours (1, 3, H, W) float32 in [0, 1], mask (1, 1, H, W) float32 in {0, 1})``.

    Raises:
        HintsError: malformed list line, point outside the image, hints image of another
            size ("hints image is 300x200 but the image is 640x480"), or no hints at all.
        ImageReadError: an unreadable hints image.
    """
    path = Path(path)
    name = str(path)
    if path.suffix.lower() in _LIST_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise HintsError(f"cannot read hints list {name}: {exc}") from None
        return parse_hint_list(text, size=size, name=name)
    loaded = read_image(path, max_pixels=max_pixels)
    height, width = loaded.image.shape[-2:]
    if (height, width) != (int(size[0]), int(size[1])):
        raise HintsError(
            f"{name}: hints image is {width}x{height} but the image is {size[1]}x{size[0]}"
        )
    image = loaded.image
    chroma = image.amax(dim=1, keepdim=True) - image.amin(dim=1, keepdim=True)
    hint = chroma >= min_chroma
    if loaded.alpha is not None:
        hint &= loaded.alpha >= 0.5
    if not bool(hint.any()):
        raise HintsError(
            f"{name}: no coloured pixels (hints are pixels whose channels differ by at least "
            f"{min_chroma:g}; gray and transparent pixels are ignored)"
        )
    mask = hint.to(torch.float32)
    return image * mask, mask

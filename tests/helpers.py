"""Test helpers: small images and bad files made at test time (nothing binary is committed)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def make_photo(path: Path, size=(96, 64), seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x / w, y / h, 0.5 + 0.3 * np.sin(x / 7.0)], -1)
    img = (np.clip(base + rng.normal(0, 0.01, base.shape), 0, 1) * 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path)
    return path


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares ``width`` x ``height`` (valid CRC) with one tiny IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def encoded(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


def make_bad_file(path: Path, content: bytes | str) -> None:
    if content == "png":
        data = encoded("PNG")
        content = data[: len(data) // 2]
    elif content == "jpg":
        data = encoded("JPEG")
        content = data[: len(data) // 2]
    elif content == "bomb":
        content = png_header_only(40000, 40000)
    path.write_bytes(content)

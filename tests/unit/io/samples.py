"""Test images made from bytes at test time (nothing binary is committed)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageCms


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR (valid CRC) declares ``width`` x ``height`` 8-bit RGB."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


def noise_rgb(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def encoded(array: np.ndarray, fmt: str, mode: str | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def blocks_image(height: int = 48, width: int = 80) -> np.ndarray:
    """An asymmetric picture of flat 16-px blocks (survives JPEG; every rotation differs)."""
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (height // 16, width // 16, 3), dtype=np.uint8)
    return np.kron(colours, np.ones((16, 16, 1), dtype=np.uint8))


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def to_hwc(image: torch.Tensor, peak: int = 255) -> np.ndarray:
    """(1, C, H, W) float -> (H, W, C) integers (round to nearest)."""
    hwc = image[0].permute(1, 2, 0).numpy().astype(np.float64)
    return np.rint(hwc * peak).astype(np.int64)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), to prove nothing changed."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }

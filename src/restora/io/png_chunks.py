"""Tiny PNG chunk helpers: read the IHDR, insert iCCP / eXIf into an encoded PNG.

Used for 16-bit PNGs: Pillow cannot write 16-bit RGB(A), OpenCV writes them without colour
profile or EXIF, so those chunks are added here (PNG 1.2 / PNG Third Edition layout).
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header(data: bytes) -> tuple[int, int, int, int] | None:
    """Return ``(width, height, bit_depth, colour_type)`` from a PNG's IHDR, or None if not PNG."""
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def insert_png_chunks(
    data: bytes, *, icc_profile: bytes | None = None, exif: bytes | None = None
) -> bytes:
    """Insert an iCCP chunk (``icc_profile``) and an eXIf chunk (``exif``) right after IHDR.

    ``exif`` may start with the JPEG-style ``b"Exif\\0\\0"`` prefix; it is removed, as eXIf holds
    the bare TIFF structure. Existing iCCP / eXIf chunks are not expected (OpenCV writes none).
    """
    header = png_header(data)
    if header is None:
        raise ValueError("not a PNG stream")
    extra = b""
    if icc_profile:
        extra += _chunk(b"iCCP", b"ICC Profile\x00\x00" + zlib.compress(icc_profile))
    if exif:
        raw = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
        extra += _chunk(b"eXIf", raw)
    end_of_ihdr = 8 + 4 + 4 + 13 + 4
    return data[:end_of_ihdr] + extra + data[end_of_ihdr:]

"""io pieces the batch engine builds on: encoding without writing, header-only sizes, frame
counts, caller-chosen temporary names, and clear errors from a full or read-only disk."""

from __future__ import annotations

import errno
import io
import os

import numpy as np
import pytest
import torch
from PIL import Image
from tests.helpers import png_header_only

from restora.core.errors import ImageTooLargeError, ImageWriteError
from restora.io import (
    atomic_write_bytes,
    encode_image,
    encode_mask,
    is_temp_name,
    read_image,
    read_size,
    temp_path_for,
    write_image,
    write_mask,
)


def test_encoded_bytes_are_what_write_image_writes(tmp_path):
    loaded = read_image(np.random.default_rng(0).integers(0, 255, (12, 20, 3), np.uint8))
    for name in ("a.png", "a.jpg", "a.tif", "a.webp"):
        written = write_image(tmp_path / name, loaded.image, meta=loaded.meta)
        assert encode_image(loaded.image, name, meta=loaded.meta) == written.read_bytes()
    mask = (torch.rand(1, 1, 12, 20) > 0.5).float()
    assert encode_mask(mask) == write_mask(tmp_path / "m.png", mask).read_bytes()
    assert encode_image(loaded.image, "PNG") == (tmp_path / "a.png").read_bytes()


def test_read_size_reads_the_header_only_and_applies_exif_rotation(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(png_header_only(6000, 4000))  # no pixel data: decoding would fail
    assert read_size(big) == (6000, 4000)
    with pytest.raises(ImageTooLargeError):
        read_size(big, max_pixels=1000)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: stored 30x20, shown 20x30
    Image.new("RGB", (30, 20)).save(tmp_path / "r.jpg", exif=exif.tobytes())
    assert (
        read_size(tmp_path / "r.jpg")
        == (20, 30)
        == read_image(tmp_path / "r.jpg").image.shape[:-3:-1]
    )


def test_frames_of_an_animation_are_counted():
    frames = [Image.new("RGB", (8, 8), (i * 60, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert read_image(buffer.getvalue()).meta.frames == 3
    assert read_image(np.zeros((4, 4, 3), np.uint8)).meta.frames == 1


def test_a_chosen_temporary_name_is_used_and_gone_afterwards(tmp_path):
    target = tmp_path / "out.png"
    temp = temp_path_for(target)
    assert temp.parent == tmp_path and is_temp_name(temp.name) and not is_temp_name("out.png")
    atomic_write_bytes(target, b"data", temp=temp)
    assert target.read_bytes() == b"data" and not temp.exists()
    temp.write_bytes(b"someone's")  # a name that exists is never opened over
    with pytest.raises(ImageWriteError, match="temporary file"):
        atomic_write_bytes(target, b"new", temp=temp)
    assert temp.read_bytes() == b"someone's" and target.read_bytes() == b"data"
    with pytest.raises(ValueError, match="folder"):
        atomic_write_bytes(target, b"new", temp=tmp_path / "sub" / temp.name)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_or_read_only_disk_is_a_clear_error_with_its_cause(tmp_path, monkeypatch, code):
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if flags & os.O_EXCL:
            raise OSError(code, os.strerror(code))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    with pytest.raises(ImageWriteError, match=os.strerror(code)) as raised:
        atomic_write_bytes(tmp_path / "out.png", b"data")
    assert isinstance(raised.value.__cause__, OSError) and raised.value.__cause__.errno == code
    assert list(tmp_path.iterdir()) == []

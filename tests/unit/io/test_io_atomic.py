"""Atomic writes: no temporary files, no clobbering without permission, no half-written files."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

from restora.core.errors import ImageWriteError, UnsafeOutputError
from restora.io import atomic_write_bytes, atomic_write_text, read_image, write_image


def test_write_leaves_only_the_target(tmp_path):
    image = torch.rand(1, 3, 20, 30)
    out = write_image(tmp_path / "a" / "b" / "out.png", image)  # parents are created
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.png"]
    again = read_image(out).image
    assert torch.equal(again, (image * 255).round() / 255)


def test_existing_file_is_refused_without_overwrite(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"precious")
    image = torch.rand(1, 3, 8, 8)
    with pytest.raises(UnsafeOutputError, match="exists"):
        write_image(target, image)
    with pytest.raises(UnsafeOutputError, match="exists"):
        atomic_write_bytes(target, b"new", overwrite=False)
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
    write_image(target, image, overwrite=True)
    assert Image.open(target).size == (8, 8)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_dangling_symlink_counts_as_existing(tmp_path):
    link = tmp_path / "out.png"
    link.symlink_to(tmp_path / "missing.png")
    with pytest.raises(UnsafeOutputError):
        write_image(link, torch.rand(1, 3, 4, 4))
    assert not (tmp_path / "missing.png").exists()


def test_failure_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ImageWriteError, match="No space left"):
        atomic_write_text(target, "new contents")
    with pytest.raises(ImageWriteError):
        write_image(tmp_path / "new.png", torch.rand(1, 3, 4, 4))
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_race_without_overwrite_never_clobbers(tmp_path, monkeypatch):
    """A file that appears between the check and the move is not replaced (hard-link commit)."""
    target = tmp_path / "out.bin"
    real_link = os.link

    def late_arrival(src, dst, **kwargs):
        with open(dst, "wb") as handle:
            handle.write(b"someone else")
        return real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", late_arrival)
    with pytest.raises(UnsafeOutputError):
        atomic_write_bytes(target, b"mine", overwrite=False)
    assert target.read_bytes() == b"someone else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_overwrite_keeps_permissions_and_text_is_utf8(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("x")
    target.chmod(0o640)
    atomic_write_text(target, "naïve ✓")
    assert target.read_bytes() == "naïve ✓".encode()
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = atomic_write_bytes(tmp_path / "fresh.bin", b"\x00\x01")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_directory_target_is_an_error(tmp_path):
    (tmp_path / "x.png").mkdir()
    with pytest.raises(ImageWriteError, match="directory"):
        write_image(tmp_path / "x.png", torch.rand(1, 3, 4, 4), overwrite=True)


def test_gray_tensor_and_alpha_shapes(tmp_path):
    gray = torch.rand(1, 1, 6, 7)
    out = write_image(tmp_path / "g.png", gray)
    assert Image.open(out).mode == "L"
    assert np.array_equal(np.asarray(Image.open(out)), np.rint(gray[0, 0].numpy() * 255))
    with pytest.raises(ValueError, match="alpha size"):
        write_image(tmp_path / "a.png", torch.rand(1, 3, 6, 7), alpha=torch.rand(1, 1, 5, 7))

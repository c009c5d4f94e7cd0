"""Bad inputs fail with the right RestoraError subclass, quickly, and write nothing."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import ImageFile
from tests.unit.io.samples import encoded, noise_rgb, png_header_only, snapshot

from restora.core.errors import ImageReadError, ImageTooLargeError, RestoraError, UnsafeOutputError
from restora.io import read_image, write_image, write_mask


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An output folder that already holds one file; tests check it is left exactly as is."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("untouched")
    return folder


def convert(src: Path, out_dir: Path, **read_options) -> None:
    """What a front end does: read one input, write the result next to the others."""
    loaded = read_image(src, **read_options)
    write_image(out_dir / f"{src.stem}_out.png", loaded.image, meta=loaded.meta, protected=[src])


def assert_fails_cleanly(src: Path, out_dir: Path, error: type[RestoraError], **options) -> str:
    before = snapshot(out_dir)
    with pytest.raises(error) as info:
        convert(src, out_dir, **options)
    message = str(info.value)
    assert str(src) in message and "\n" not in message
    assert snapshot(out_dir) == before
    return message


def test_zero_byte_file(tmp_path, out_dir):
    src = tmp_path / "empty.png"
    src.write_bytes(b"")
    assert "empty" in assert_fails_cleanly(src, out_dir, ImageReadError)


def test_truncated_png(tmp_path, out_dir):
    data = encoded(noise_rgb(), "PNG")
    src = tmp_path / "cut.png"
    src.write_bytes(data[: len(data) // 2])
    assert "truncated" in assert_fails_cleanly(src, out_dir, ImageReadError)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_jpeg(tmp_path, out_dir):
    data = encoded(noise_rgb(), "JPEG", quality=90)
    src = tmp_path / "cut.jpg"
    src.write_bytes(data[: len(data) // 2])
    assert "truncated" in assert_fails_cleanly(src, out_dir, ImageReadError)


def test_truncated_16bit_png_decoded_by_opencv(tmp_path, out_dir):
    array = np.random.default_rng(1).integers(0, 65536, (64, 64, 3), dtype=np.uint16)
    data = cv2.imencode(".png", array)[1].tobytes()
    src = tmp_path / "cut16.png"
    src.write_bytes(data[: len(data) // 2])
    assert_fails_cleanly(src, out_dir, ImageReadError)


def test_text_file_named_jpg(tmp_path, out_dir):
    src = tmp_path / "notes.jpg"
    src.write_text("this is not a picture\n")
    assert "not a recognised image" in assert_fails_cleanly(src, out_dir, ImageReadError)


def test_unknown_binary_format(tmp_path, out_dir):
    src = tmp_path / "random.png"
    src.write_bytes(np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert_fails_cleanly(src, out_dir, ImageReadError)


def test_eps_is_not_handed_to_ghostscript(tmp_path, out_dir):
    src = tmp_path / "page.eps"
    src.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    assert_fails_cleanly(src, out_dir, ImageReadError)


def test_missing_file_and_directory(tmp_path, out_dir):
    assert "no such file" in assert_fails_cleanly(tmp_path / "nope.png", out_dir, ImageReadError)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    assert "directory" in assert_fails_cleanly(folder, out_dir, ImageReadError)


def test_40000x40000_header_rejected_fast_without_allocating(tmp_path, out_dir):
    src = tmp_path / "bomb.png"
    src.write_bytes(png_header_only(40000, 40000))
    assert src.stat().st_size < 200
    resource = pytest.importorskip("resource")  # POSIX
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    start = time.perf_counter()
    try:
        message = assert_fails_cleanly(src, out_dir, ImageTooLargeError)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert "40000x40000" in message
    assert elapsed < 1.0, elapsed
    assert peak < 50e6, peak
    assert rss_growth_mb < 100, rss_growth_mb  # a decode would need 4.8 GB


def test_pillow_bomb_limit_is_converted(tmp_path, out_dir):
    """With a huge max_pixels Pillow's own DecompressionBombError still ends as ours."""
    src = tmp_path / "bomb.png"
    src.write_bytes(png_header_only(40000, 40000))
    assert_fails_cleanly(src, out_dir, ImageTooLargeError, max_pixels=10**12)


def test_max_pixels_is_checked_for_every_format(tmp_path, out_dir):
    src = tmp_path / "photo.jpg"
    src.write_bytes(encoded(noise_rgb(40, 50), "JPEG"))
    message = assert_fails_cleanly(src, out_dir, ImageTooLargeError, max_pixels=1999)
    assert "50x40" in message
    assert read_image(src, max_pixels=2000).image.shape == (1, 3, 40, 50)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "photo.png"
    src.parent.mkdir()
    src.write_bytes(encoded(noise_rgb(), "PNG"))
    return src


def _refused(target: Path | str, src: Path) -> None:
    before = src.read_bytes()
    folder_before = snapshot(src.parent)
    loaded = read_image(src)
    with pytest.raises(UnsafeOutputError, match="one of the inputs"):
        write_image(target, loaded.image, overwrite=True, protected=[src])
    with pytest.raises(UnsafeOutputError):
        write_mask(target, loaded.image[:, :1], overwrite=True, protected=[src])
    assert src.read_bytes() == before and snapshot(src.parent) == folder_before


def test_output_equal_to_input(photo):
    _refused(photo, photo)


def test_output_equal_to_input_spelled_with_dots(photo, monkeypatch):
    monkeypatch.chdir(photo.parent.parent)
    _refused("./in/../in/./photo.png", photo)


def test_output_equal_to_input_via_symlink(photo, tmp_path):
    link = tmp_path / "link.png"
    link.symlink_to(photo)
    _refused(link, photo)
    linked_folder = tmp_path / "alias"
    linked_folder.symlink_to(photo.parent, target_is_directory=True)
    _refused(linked_folder / "photo.png", photo)


def test_output_equal_to_input_via_hard_link(photo, tmp_path):
    other = tmp_path / "hard.png"
    os.link(photo, other)
    _refused(other, photo)

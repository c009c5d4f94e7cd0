"""No silent no-ops: what restora did not do, though a user may expect it, is said on stderr."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from tests.helpers import make_photo

ANALYZE = ("--stages", "analyze")


def test_an_animation_says_only_its_first_frame_was_restored(cli, tmp_path):
    rng = np.random.default_rng(0)
    frames = [Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)) for _ in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    code, _, err = cli("restore", tmp_path / "anim.gif", "-o", tmp_path / "out", *ANALYZE)
    assert code == 0, err
    assert "anim.gif: GIF has 3 frames: only the first was restored" in err


def test_a_mask_that_leaves_nothing_to_fill_is_said(cli, tmp_path):
    src = make_photo(tmp_path / "p.png")
    Image.fromarray(np.full((64, 96), 255, np.uint8)).save(tmp_path / "white.png")
    Image.fromarray(np.zeros((64, 96), np.uint8)).save(tmp_path / "black.png")
    args = ("--stages", "inpaint", "--inpaint-method", "telea")
    code, _, err = cli(
        "restore", src, "-o", tmp_path / "o1", "--mask", tmp_path / "white.png", *args
    )
    assert code == 0 and "nothing filled with the given mask" in err and "whole image" in err
    code, _, err = cli(
        "restore", src, "-o", tmp_path / "o2", "--mask", tmp_path / "black.png", *args
    )
    assert code == 0 and "nothing filled with the given mask: no damage to fill" in err


def test_hints_on_a_colour_photo_are_said_to_be_unused(cli, tmp_path):
    src = make_photo(tmp_path / "colour.png")
    (tmp_path / "h.txt").write_text("1,1,#ff0000\n")
    code, _, err = cli(
        "restore", src, "-o", tmp_path / "out", "--hints", tmp_path / "h.txt",
        "--stages", "analyze,colorize",
    )  # fmt: skip
    assert code == 0 and "hints" in err and "not used: colour photo" in err


def test_a_folder_run_says_which_files_it_left_out_and_why(cli, tmp_path):
    folder = tmp_path / "in"
    make_photo(folder / "a.png")
    Image.open(folder / "a.png").convert("RGB").save(folder / "b.jfif", format="JPEG")
    Image.open(folder / "a.png").save(folder / "c.gif")
    (folder / "notes.txt").write_text("not a photo")
    (folder / ".DS_Store").write_bytes(b"\0")
    code, text, err = cli("restore", folder, "-o", tmp_path / "out", *ANALYZE)
    assert code == 0 and "3 restored" in text, err  # .jfif and .gif are photos too
    assert "skipped 1 file: not an image file name (notes.txt)" in err
    assert "skipped 1 file: hidden (.DS_Store)" in err


def test_jpeg_output_says_what_it_cannot_keep_without_a_python_warning(cli_process, tmp_path):
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (16, 16, 4), np.uint8)).save(rgba)
    deep = tmp_path / "deep.png"
    cv2.imwrite(str(deep), np.random.default_rng(1).integers(0, 65535, (16, 16, 3), np.uint16))
    code, _, err = cli_process(
        "restore", rgba, deep, "-o", tmp_path / "out", *ANALYZE, "--format", "jpg"
    )
    assert code == 0, err
    assert "UserWarning" not in err  # before: a raw Python warning line
    assert "rgba.png: JPEG has no alpha channel: alpha dropped" in err
    assert "deep.png: JPEG stores at most 8 bits per channel: the 16-bit image" in err

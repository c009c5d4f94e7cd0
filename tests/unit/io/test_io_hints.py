"""Colour hints files: PNG (coloured pixels are hints) and 'x,y,#rrggbb' lists; clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from restora.color import hints_to_ab
from restora.core.errors import ImageReadError
from restora.io import HintsError, parse_hint_list, read_hints


def test_list_parses_points_comments_and_spaces(tmp_path):
    path = tmp_path / "hints.txt"
    path.write_text("# sky\n 3, 1 ,#3366ff\n\n0,0,#FF0000\n3,1,#00ff00\n", encoding="utf-8")
    colours, mask = read_hints(path, size=(2, 4))
    assert colours.shape == (1, 3, 2, 4) and mask.shape == (1, 1, 2, 4)
    assert mask.flatten().tolist() == [1, 0, 0, 0, 0, 0, 0, 1]
    assert colours[0, :, 0, 0].tolist() == [1.0, 0.0, 0.0]
    assert colours[0, :, 1, 3].tolist() == [0.0, 1.0, 0.0]  # a later line wins
    assert colours[0, :, 0, 1].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,#ff00", r"line 1: expected 'x,y,#rrggbb', got '1,2,#ff00'"),
        ("# c\n1;2;#ff0000", r"line 2: expected"),
        ("4,0,#ff0000", r"line 1: point \(4, 0\) is outside the 4x2 image"),
        ("0,-1,#ff0000", r"point \(0, -1\) is outside"),
        ("# only a comment\n", r"no hints found"),
    ],
)
def test_list_errors_name_the_line(text, message):
    with pytest.raises(HintsError, match=message):
        parse_hint_list(text, size=(2, 4), name="h.txt")


def test_png_coloured_pixels_are_hints_gray_and_transparent_are_not(tmp_path):
    pixels = np.zeros((3, 4, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[..., :3] = 128  # gray background (a gray copy of the photo)
    pixels[0, 1, :3] = [200, 40, 40]  # red dot
    pixels[2, 3, :3] = [131, 128, 126]  # nearly gray: not a hint
    pixels[1, 2, :3] = [0, 0, 255]  # blue, but transparent
    pixels[1, 2, 3] = 0
    path = tmp_path / "hints.png"
    Image.fromarray(pixels, "RGBA").save(path)
    colours, mask = read_hints(path, size=(3, 4))
    assert mask[0, 0].nonzero().tolist() == [[0, 1]]
    torch.testing.assert_close(colours[0, :, 0, 1], torch.tensor([200, 40, 40]) / 255.0)
    ab, binary = hints_to_ab(colours, mask)
    assert ab[0, 0, 0, 1] > 30 and ab[0, :, 2, 3].abs().max() == 0 and torch.equal(binary, mask)


def test_png_errors(tmp_path):
    path = tmp_path / "hints.png"
    Image.fromarray(np.full((3, 5, 3), 128, np.uint8)).save(path)
    with pytest.raises(HintsError, match="hints image is 5x3 but the image is 4x3"):
        read_hints(path, size=(3, 4))
    with pytest.raises(HintsError, match="no coloured pixels"):
        read_hints(path, size=(3, 5))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ImageReadError):
        read_hints(tmp_path / "broken.png", size=(3, 5))
    (tmp_path / "latin.txt").write_bytes(b"\xff\xfe1,1")
    with pytest.raises(HintsError, match="cannot read"):
        read_hints(tmp_path / "latin.txt", size=(3, 5))

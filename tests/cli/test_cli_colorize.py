"""`restora restore --hints FILE`: colour hints colorize a gray photo; bad hints fail clearly."""

import numpy as np
from PIL import Image


def _gray_photo(path):
    y, x = np.mgrid[0:64, 0:96]
    gray = (60 + 120 * (x / 95) + 20 * np.sin(y / 5)).astype(np.uint8)
    Image.fromarray(gray, "L").save(path)
    return path


def test_hints_file_colorizes_a_gray_photo(cli, tmp_path):
    src = _gray_photo(tmp_path / "old.png")
    hints = tmp_path / "hints.txt"
    hints.write_text("10,10,#d04020\n80,50,#2050d0\n", encoding="utf-8")
    code, _, err = cli(
        "restore", src, "-o", tmp_path / "out", "--hints", hints, "--stages", "analyze,colorize"
    )
    assert code == 0, err
    out = np.asarray(Image.open(tmp_path / "out" / "old_restored.png").convert("RGB")).astype(int)
    assert out[10, 10, 0] > out[10, 10, 2] + 20 and out[50, 80, 2] > out[50, 80, 0] + 20


def test_bad_hints_line_is_reported(cli, tmp_path):
    src = _gray_photo(tmp_path / "old.png")
    hints = tmp_path / "hints.txt"
    hints.write_text("10,10,red\n", encoding="utf-8")
    code, text, err = cli("restore", src, "-o", tmp_path / "out", "--hints", hints)
    assert code == 2 and "line 1: expected 'x,y,#rrggbb'" in err  # a usage error, before any work
    assert "restored" not in text

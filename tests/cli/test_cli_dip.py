"""``restora dip``: writes the restored image, rejects bad inputs with one clear line."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from tests.helpers import make_photo

TINY = [
    *("--set", "net.channels_down=[8, 8, 8]"),
    *("--set", "net.channels_up=[8, 8, 8]"),
    *("--set", "net.channels_skip=[2, 2, 2]"),
]


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_denoise_writes_an_image_of_the_input_size(cli, tmp_path):
    src = make_photo(tmp_path / "noisy.png", size=(40, 24))
    out = tmp_path / "out" / "clean.png"
    code, stdout, err = cli("dip", "denoise", src, "-o", out, "--iters", "3", *TINY)
    assert code == 0, err
    assert Image.open(out).size == (40, 24)
    assert "3 of 3 iterations" in stdout


def test_inpaint_with_a_dip_style_mask_keeps_known_pixels(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png", size=(32, 32))
    known = np.full((32, 32), 255, np.uint8)
    known[8:16, 8:16] = 0  # DIP masks: black = hole
    Image.fromarray(known).save(tmp_path / "mask.png")
    out = tmp_path / "filled.png"
    code, _, err = cli(
        "dip", "inpaint", src, "--mask", tmp_path / "mask.png", "--mask-hole", "black",
        "-o", out, "--iters", "2", *TINY,
    )  # fmt: skip
    assert code == 0, err
    before, after = np.asarray(Image.open(src)), np.asarray(Image.open(out))
    assert np.array_equal(before[known == 255], after[known == 255])


def test_sr_scales_the_output(cli, tmp_path):
    src = make_photo(tmp_path / "small.png", size=(20, 12))
    out = tmp_path / "big.png"
    code, _, err = cli("dip", "sr", src, "--scale", "2", "-o", out, "--iters", "2", *TINY)
    assert code == 0, err
    assert Image.open(out).size == (40, 24)


def test_mismatched_mask_is_a_clear_error(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png", size=(40, 24))
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "m.png")
    out = tmp_path / "out.png"
    code, _, err = cli("dip", "inpaint", src, "--mask", tmp_path / "m.png", "-o", out)
    assert code == 2 and "mask is 10x10 but image is 40x24" in err
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dip", "blur", "{src}"], "unknown task 'blur'"),
        (["dip", "inpaint", "{src}"], "needs --mask"),
        (["dip", "denoise", "{src}", "--preset", "official_sr"], "is for task 'sr'"),
        (["dip", "denoise", "{src}", "--preset", "default_denoize"], "default_denoise"),
        (["dip", "denoise", "{src}", "--set", "lr=-1"], "lr must be > 0"),
        (["dip", "denoise", "{tmp}/missing.png"], "missing.png"),
    ],
)
def test_bad_inputs_give_one_line_errors(cli, tmp_path, args, message):
    src = make_photo(tmp_path / "photo.png", size=(16, 16))
    args = [a.format(src=src, tmp=tmp_path) for a in args]
    code, _, err = cli(*args, "-o", tmp_path / "out.png", "--iters", "1")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out.png").exists()


def test_existing_output_is_refused_before_any_fitting(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png", size=(16, 16))
    out = make_photo(tmp_path / "out.png", size=(8, 8))
    code, _, err = cli("dip", "denoise", src, "-o", out, "--iters", "1")
    assert code == 2 and "out.png" in err
    assert Image.open(out).size == (8, 8)

"""Everything a batch can check is checked before any image is processed, as a usage error
(exit code 2): output folder, method names, masks, hints, and what --scale would need."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image
from tests.helpers import make_photo, png_header_only

from restora.engine.preflight import UsageError, check_size, memory_needed
from restora.pipeline.spec import PipelineSpec

ANALYZE = ("--stages", "analyze")


def _nothing_processed(out, text: str) -> None:
    assert "restored" not in text
    assert not [p for p in out.rglob("*") if p.is_file()] if out.exists() else True


def test_scale_that_needs_more_memory_than_there_is_is_refused_up_front(cli, tmp_path, monkeypatch):
    from restora.engine import preflight

    monkeypatch.setattr(preflight, "available_memory", lambda: 16 * 2**30)  # a 16 GB machine
    src = tmp_path / "scan.png"
    src.write_bytes(png_header_only(6000, 4000))  # 24 MP; header only: reading it would fail
    out = tmp_path / "out"
    code, text, err = cli("restore", src, "-o", out, "--scale", "8")
    assert code == 2, err  # before: a per-file failure (rc 1), or the allocator after minutes
    assert "6000x4000 at --scale 8 makes a 48000x32000 image (1536 MP)" in err
    assert "needs at least 24.9 GB of memory; 17.2 GB is available" in err
    _nothing_processed(out, text)


def test_memory_estimate_and_the_refusal_names_the_size():
    need = memory_needed(6000, 4000, 8)
    assert need > 18e9  # the case: a 24 MP photo at x8 needs more than 18 GB
    assert memory_needed(6000, 4000, 1) < 2**30  # without upscaling: well under a GB
    spec = PipelineSpec.from_dict({"upscale": {"scale": 8}})
    with pytest.raises(UsageError, match=r"48000x32000 image \(1536 MP\)"):
        check_size("p.png", (6000, 4000), spec, "png", available=16 * 2**30)
    check_size("p.png", (6000, 4000), spec, "png", available=need)  # fits: no error
    no_upscale = PipelineSpec.from_dict({"stages": ["inpaint"], "upscale": {"scale": 8}})
    check_size("p.png", (6000, 4000), no_upscale, "png", available=2 * 2**30)


def test_a_format_that_cannot_hold_the_output_is_refused(cli, tmp_path):
    src = tmp_path / "big.png"
    src.write_bytes(png_header_only(6000, 4000))
    code, _, err = cli("restore", src, "-o", tmp_path / "o", "--scale", "4", "--format", "webp")
    assert code == 2 and "webp stores at most 16383 pixels a side" in err


def test_bad_hints_are_a_usage_error_before_any_stage_runs(cli, tmp_path):
    gray = tmp_path / "gray.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (48, 1))).save(gray)
    hints = tmp_path / "hints.txt"
    hints.write_text("10,10,#ff0000\n900,3,#00ff00\n")
    out = tmp_path / "out"
    code, text, err = cli(
        "restore", gray, "-o", out, "--hints", hints, "--stages", "analyze,inpaint,colorize"
    )
    assert code == 2, err  # before: rc 1, after detection and inpainting had run
    assert "line 2" in err and "outside the 64x48 image" in err
    _nothing_processed(out, text)
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(tmp_path / "small_hints.png")
    code, _, err = cli("restore", gray, "-o", out, "--hints", tmp_path / "small_hints.png")
    assert code == 2 and "hints image is 10x10 but the image is 64x48" in err


def test_one_hints_file_for_several_inputs_is_refused(cli, tmp_path):
    a, b = make_photo(tmp_path / "a.png"), make_photo(tmp_path / "b.png", seed=1)
    (tmp_path / "h.txt").write_text("1,1,#ff0000\n")
    code, _, err = cli("restore", a, b, "-o", tmp_path / "out", "--hints", tmp_path / "h.txt")
    assert code == 2 and "--hints FILE works with one input" in err  # before: rc 0


def test_a_folder_of_hints_is_matched_by_name(cli, tmp_path):
    folder = tmp_path / "in"
    for name in ("a", "b"):
        folder.mkdir(exist_ok=True)
        Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (48, 1))).save(
            folder / f"{name}.png"
        )
    hints = tmp_path / "hints"
    hints.mkdir()
    (hints / "a_hints.txt").write_text("5,5,#ff0000\n40,30,#0000ff\n")
    out = tmp_path / "out"
    code, _, err = cli(
        "restore", folder, "-o", out, "--hints", hints, "--stages", "analyze,colorize", "--report"
    )
    assert code == 0, err
    import json

    notes_a = json.dumps(json.loads((out / "a_report.json").read_text()))
    assert "a_hints.txt" in notes_a
    assert "b.png: no hints file for it" in err


def test_mask_of_the_wrong_size_in_a_mask_folder_is_a_usage_error(cli, tmp_path):
    folder = tmp_path / "in"
    make_photo(folder / "a.png")
    make_photo(folder / "b.png", seed=1)
    masks = tmp_path / "masks"
    masks.mkdir()
    Image.fromarray(np.zeros((64, 96), np.uint8)).save(masks / "a_mask.png")
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(masks / "b_mask.png")
    out = tmp_path / "out"
    code, text, err = cli("restore", folder, "-o", out, "--mask", masks, *ANALYZE)
    assert code == 2 and "mask for" in err and "b.png" in err and "5x5" in err
    _nothing_processed(out, text)


def test_unknown_inpaint_method_is_a_usage_error(cli, tmp_path):
    src = make_photo(tmp_path / "a.png")
    code, text, err = cli("restore", src, "-o", tmp_path / "out", "--inpaint-method", "nope")
    assert code == 2 and "unknown inpainting method 'nope'" in err  # before: rc 1 per file
    assert "telea" in err


def test_an_unreadable_sr_model_is_a_usage_error(cli, tmp_path):
    src = make_photo(tmp_path / "a.png")
    args = ("restore", src, "-o", tmp_path / "out", "--scale", "2", "--stages", "upscale")
    code, _, err = cli(*args, "--sr-model", tmp_path / "missing_x2.pb")
    assert code == 2 and "super-resolution model not found" in err  # before: rc 1 per file
    (tmp_path / "weights.pb").write_bytes(b"not a graph")
    code, _, err = cli(*args, "--sr-model", tmp_path / "weights.pb")
    assert code == 2 and "cannot tell the model from the file name" in err
    (tmp_path / "FSRCNN_x2.pb").write_bytes(b"not a graph")
    code, _, err = cli(*args, "--sr-model", tmp_path / "FSRCNN_x2.pb")
    assert code == 2 and "OpenCV could not read FSRCNN_x2.pb" in err


def test_an_existing_file_as_output_folder_is_a_clear_error(cli, tmp_path):
    src = make_photo(tmp_path / "a.png")
    (tmp_path / "afile").write_text("x")
    code, _, err = cli("restore", src, "-o", tmp_path / "afile", *ANALYZE)
    assert code == 2 and "is a file: give a folder with -o" in err
    assert "Errno" not in err  # before: "[Errno 17] File exists"
    code, _, err = cli("restore", src, "-o", tmp_path / "afile" / "sub", *ANALYZE)
    assert code == 2 and "is a file" in err and "Errno" not in err


def test_a_one_pixel_tall_image_is_reported_with_its_size(cli, tmp_path):
    src = tmp_path / "wide.png"
    Image.fromarray(np.zeros((1, 1000), np.uint8)).save(src)
    code, _, err = cli("restore", src, "-o", tmp_path / "out", *ANALYZE)
    assert code == 1 and "is 1000x1 pixels" in err and "1x512" not in err


def test_a_read_only_output_folder_is_a_usage_error(cli, tmp_path, monkeypatch):
    src = make_photo(tmp_path / "a.png")
    out = tmp_path / "out"
    out.mkdir()
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(out)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    code, _, err = cli("restore", src, "-o", out, *ANALYZE)
    assert code == 2 and "Read-only file system" in err and "Traceback" not in err
    assert not list(out.rglob("*.png"))


def test_a_read_only_mount_is_refused_before_any_work(cli, tmp_path):
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root")
    src = make_photo(tmp_path / "a.png")
    out = tmp_path / "ro"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(out)])
    if mounted.returncode != 0:
        pytest.skip("mount is not permitted here")
    try:
        code, _, err = cli("restore", src, "-o", out, *ANALYZE)
        assert code == 2 and "read-only file system" in err
    finally:
        subprocess.run(["umount", str(out)])

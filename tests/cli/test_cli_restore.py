"""`restora restore`, `synth`, `info` as a user runs them."""

import json

import numpy as np
import pytest
from PIL import Image
from tests.helpers import make_photo


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("restora ")


def test_restore_writes_image_mask_and_report(cli, tmp_path):
    src = make_photo(tmp_path / "in" / "photo.png")
    code, out, err = cli(
        "restore", src, "-o", tmp_path / "out", "--report", "--save-mask", "--scale", "2"
    )
    assert code == 0, err
    restored = Image.open(tmp_path / "out" / "photo_restored.png")
    assert restored.size == (192, 128)
    report = json.loads((tmp_path / "out" / "photo_report.json").read_text())
    assert [s["stage"] for s in report["stages"]][0] == "analyze"
    assert report["output_size"] == [192, 128] and report["peak_rss_mb"] > 0
    panel = Image.open(tmp_path / "out" / "photo_report.png")
    assert panel.size[0] > 2 * panel.size[1]  # input | overlay | output side by side
    mask = np.asarray(Image.open(tmp_path / "out" / "photo_mask.png"))
    assert mask.shape == (64, 96) and set(np.unique(mask)) <= {0, 255}


def test_user_mask_round_trip(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png")
    mask = np.zeros((64, 96), np.uint8)
    mask[10:50, 40:43] = 255
    Image.fromarray(mask).save(tmp_path / "edited.png")
    code, _, err = cli(
        "restore",
        src,
        "-o",
        tmp_path / "out",
        "--mask",
        tmp_path / "edited.png",
        "--save-mask",
        "--stages",
        "inpaint",
    )
    assert code == 0, err
    saved = np.asarray(Image.open(tmp_path / "out" / "photo_mask.png"))
    assert np.array_equal(saved, mask)


def test_wrong_mask_size_is_a_usage_error_before_any_work(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png")
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "m.png")
    code, out, err = cli("restore", src, "-o", tmp_path / "out", "--mask", tmp_path / "m.png")
    assert code == 2 and "mask is 10x10 but image is 96x64" in err
    assert "restored" not in out  # refused up front: no image was processed
    assert not list((tmp_path / "out").glob("*restored*"))


def test_unknown_option_in_set_names_the_key(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png")
    code, _, err = cli("restore", src, "-o", tmp_path / "out", "--set", "inpaint.radiuss=3")
    assert code == 2 and "inpaint.radiuss" in err


def test_existing_output_is_not_overwritten(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "photo_restored.png").write_bytes(b"precious")
    code, _, err = cli("restore", src, "-o", out, "--stages", "analyze")
    assert code == 1 and "exists" in err
    assert (out / "photo_restored.png").read_bytes() == b"precious"
    code, _, err = cli("restore", src, "-o", out, "--stages", "analyze", "--overwrite")
    assert code == 0, err
    assert (out / "photo_restored.png").read_bytes() != b"precious"


def test_output_that_would_replace_an_input_is_refused(cli, tmp_path):
    folder = tmp_path / "photos"
    make_photo(folder / "a.png")
    make_photo(folder / "a_restored.png", seed=1)
    before = (folder / "a_restored.png").read_bytes()
    code, _, err = cli("restore", folder, "-o", folder, "--overwrite")
    assert code == 2 and "one of the inputs" in err
    assert (folder / "a_restored.png").read_bytes() == before


def test_synth_is_seeded_and_refuses_its_input(cli, tmp_path):
    src = make_photo(tmp_path / "clean.png", size=(128, 96))
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert cli("synth", src, "-o", a, "--seed", "3", "--save-mask", tmp_path / "ma.png")[0] == 0
    assert cli("synth", src, "-o", b, "--seed", "3")[0] == 0
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
    assert np.asarray(Image.open(tmp_path / "ma.png")).max() == 255
    before = src.read_bytes()
    code, _, err = cli("synth", src, "-o", src, "--overwrite")
    assert code == 2 and "input" in err and src.read_bytes() == before


def test_synth_full_profile_draws_more_kinds(cli, tmp_path):
    src = make_photo(tmp_path / "clean.png", size=(160, 120))
    classic, full = tmp_path / "classic.png", tmp_path / "full.png"
    assert cli("synth", src, "-o", classic, "--seed", "1")[0] == 0
    code, out, err = cli("synth", src, "-o", full, "--seed", "1", "--profile", "full")
    assert code == 0, err and "damaged" in out
    assert not np.array_equal(np.asarray(Image.open(classic)), np.asarray(Image.open(full)))
    code, _, err = cli("synth", src, "-o", tmp_path / "x.png", "--profile", "nope")
    assert code == 2 and "profile" in err


def test_info_reports_mode_and_tone(cli, tmp_path):
    gray = tmp_path / "gray.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (32, 1))).save(gray)
    code, out, err = cli("info", gray)
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] == "L" and data["tone"] == "monochrome" and data["width"] == 64


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.png", b""),
        ("text.jpg", b"this is not a picture\n"),
        ("truncated.png", "png"),
        ("truncated.jpg", "jpg"),
        ("bomb.png", "bomb"),
    ],
)
def test_bad_inputs_fail_cleanly_and_write_nothing(cli_process, tmp_path, name, content):
    from tests.helpers import make_bad_file

    src = tmp_path / name
    make_bad_file(src, content)
    out = tmp_path / "out"
    code, stdout, stderr = cli_process("restore", src, "-o", out)
    assert code == 1, (stdout, stderr)
    assert "Traceback" not in stderr and "restora: failed:" in stderr
    written = [p.relative_to(out) for p in out.rglob("*") if p.is_file()]
    assert all(p.name == "restora-manifest.json" or p.parts[0] == ".restora" for p in written)
    code, _, stderr = cli_process("info", src)
    assert code == 2 and "restora: error:" in stderr and "Traceback" not in stderr


def test_alpha_and_16_bits_survive_the_whole_pipeline(cli, tmp_path):
    """An RGBA 16-bit PNG through every default stage: alpha exact, 16-bit output, same size."""
    import cv2

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:80, 0:120]
    rgb = np.stack([xx * 500, yy * 700, (xx + yy) * 300], -1).astype(np.uint16)
    alpha = ((xx * 65535) // 119).astype(np.uint16)
    alpha[20:30, 40:60] = 0
    bgra = np.dstack([rgb[..., ::-1], alpha]) + rng.integers(0, 2, (80, 120, 4)).astype(np.uint16)
    src = tmp_path / "rgba16.png"
    cv2.imwrite(str(src), bgra)
    code, _, err = cli("restore", src, "-o", tmp_path / "out")
    assert code == 0, err
    out = cv2.imread(str(tmp_path / "out" / "rgba16_restored.png"), cv2.IMREAD_UNCHANGED)
    assert out.dtype == np.uint16 and out.shape == (80, 120, 4)
    assert np.array_equal(out[..., 3], bgra[..., 3])


def test_cracks_flag_turns_on_the_crack_detector(cli, tmp_path):
    src = make_photo(tmp_path / "photo.png")
    notes = {}
    for flags, out in (([], "plain"), (["--cracks"], "cracks")):
        code, _, err = cli(
            "restore", src, "-o", tmp_path / out, "--stages", "detect_damage", "--report", *flags
        )
        assert code == 0, err
        report = json.loads((tmp_path / out / "photo_report.json").read_text())
        detect = [s for s in report["stages"] if s["stage"] == "detect_damage"]
        assert len(detect) == 1
        notes[out] = " ".join(detect[0]["notes"])
    assert "crack detector" in notes["cracks"] and "crack detector" not in notes["plain"]


def test_restore_sets_the_allocator_once_per_run_and_does_not_trim_between_photos(
    cli, tmp_path, monkeypatch
):
    # Trimming after each photo lowered resident memory between photos but raised the batch's
    # peak (benchmarks/results/memory_batch.md), so the command only keeps freed memory.
    from restora.core import memory

    calls = []
    monkeypatch.setattr(memory, "keep_freed_memory", lambda: calls.append("keep") or True)
    monkeypatch.setattr(memory, "release_freed_memory", lambda: calls.append("release") or True)
    for name in ("a.png", "b.png", "c.png"):
        make_photo(tmp_path / "in" / name)
    code, _, err = cli("restore", tmp_path / "in", "-o", tmp_path / "out", "--stages", "analyze")
    assert code == 0, err
    assert calls == ["keep"]

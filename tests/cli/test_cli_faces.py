"""``restora faces``: crops, contact sheet, faces.json, --group, bad usage."""

from __future__ import annotations

import json
import shutil

import pytest

from restora.models.face.dlib_peers import dlib_available
from restora.models.face.embed import EMBED_WEIGHTS


def test_bad_detector_is_a_usage_error(cli, tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    code, _, err = cli("faces", tmp_path / "a.png", "-o", tmp_path / "out", "--detector", "sift")
    assert code == 2 and "--detector" in err


def test_missing_input_is_an_error(cli, tmp_path):
    code, _, err = cli("faces", tmp_path / "nope.png", "-o", tmp_path / "out")
    assert code == 2 and "not found" in err


@pytest.fixture
def three_photos(shared, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for n in ("0001", "0002", "0069"):  # two of one person, one of another
        shutil.copy(shared / "train" / "caltech_faces" / f"image_{n}.jpg", folder)
    return folder


@pytest.mark.parametrize(
    "embedder",
    [
        pytest.param(
            "dlib",
            marks=pytest.mark.skipif(not dlib_available(), reason="needs restora[faces] (dlib)"),
        ),
        pytest.param(
            "restora",
            marks=pytest.mark.skipif(
                not (EMBED_WEIGHTS / "model.safetensors").is_file(),
                reason="restora's embedding weights not shipped",
            ),
        ),
    ],
)
def test_group_puts_one_person_together(cli, three_photos, tmp_path, embedder):
    out = tmp_path / "out"
    code, stdout, err = cli("faces", three_photos, "-o", out, "--group", "--embedder", embedder)
    assert code == 0, err
    data = json.loads((out / "faces.json").read_text())
    groups = {
        p["source"].rsplit("/", 1)[-1]: [f["group"] for f in p["faces"]] for p in data["photos"]
    }
    assert (
        groups["image_0001.jpg"] == groups["image_0002.jpg"] and len(groups["image_0001.jpg"]) == 1
    )
    assert groups["image_0069.jpg"] != groups["image_0001.jpg"]
    assert len(data["groups"]) == 2 and (out / "people" / "person_02.png").is_file()
    assert (out / "contact_sheet.png").is_file() and (
        out / "crops" / "image_0069_face0.png"
    ).is_file()
    assert "3 faces in 3 photos, 2 people" in stdout


def test_rerun_replaces_its_own_files_and_never_a_foreign_one(cli, three_photos, tmp_path):
    out = tmp_path / "out"
    assert cli("faces", three_photos / "image_0069.jpg", "-o", out)[0] == 0
    assert cli("faces", three_photos / "image_0069.jpg", "-o", out)[0] == 0
    (out / "faces.json").write_text('{"mine": 1}')
    code, _, err = cli("faces", three_photos, "-o", out)  # refused before any detection
    assert code == 2 and "not written by restora" in err
    assert (out / "faces.json").read_text() == '{"mine": 1}'
    (tmp_path / "a_file").write_text("x")
    code, _, err = cli("faces", three_photos, "-o", tmp_path / "a_file")
    assert code == 2 and "not a folder" in err

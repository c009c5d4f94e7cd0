"""Writing face crops, sheets and faces.json; grouping; never replacing foreign files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from restora.core.errors import RestoraError
from restora.engine.faces import PhotoFaces, contact_sheet, write_face_outputs
from restora.models.face.face import Face
from restora.models.face.group import cluster_faces, completeness, purity


def _photo(name: str, embeddings: list[list[float]]) -> PhotoFaces:
    n = len(embeddings)
    faces = [Face(box=(10 * k, 0, 10 * k + 8, 8), score=0.9) for k in range(n)]
    crops = torch.rand(n, 3, 16, 16, generator=torch.Generator().manual_seed(n))
    return PhotoFaces(Path(name), 40, 30, faces, crops, np.array(embeddings, float))


def test_cluster_and_scores():
    e = np.array([[0.0, 0], [0.1, 0], [0.05, 0.05], [3, 3], [3.1, 3], [9, 0]])
    labels = cluster_faces(e, 1.0)
    assert labels.tolist() == [0, 0, 0, 1, 1, 2]
    truth = np.array([0, 0, 0, 1, 1, 1])
    assert purity(labels, truth) == 1.0
    assert completeness(labels, truth) == pytest.approx(5 / 6)
    assert cluster_faces(e, 100.0).tolist() == [0] * 6
    assert cluster_faces(np.zeros((0, 2)), 1.0).tolist() == []


def test_contact_sheet_layout():
    sheet = contact_sheet(torch.zeros(5, 3, 10, 10), columns=2, gap=2)
    assert sheet.shape == (1, 3, 3 * 12 + 2, 2 * 12 + 2)
    assert float(sheet[0, :, 2:12, 2:12].max()) == 0 and float(sheet[0, :, 0, 0].min()) == 1


def test_write_outputs_group_and_rerun(tmp_path):
    photos = [
        _photo("a.png", [[0, 0], [5, 5]]),
        _photo("b.jpg", [[0.1, 0]]),
        PhotoFaces(Path("c.png"), error="unreadable"),
    ]
    out = tmp_path / "out"
    data = write_face_outputs(photos, out, group_threshold=1.0, embedder_name="test")
    assert [g["faces"] for g in data["groups"]] == [2, 1]
    a_faces = data["photos"][0]["faces"]
    assert [f["group"] for f in a_faces] == [1, 2] and data["photos"][1]["faces"][0]["group"] == 1
    assert data["photos"][2]["error"] == "unreadable"
    for rel in data["files"]:
        assert (out / rel).is_file()
    assert {"contact_sheet.png", "people/person_01.png", "crops/a_face1.png"} <= set(data["files"])
    assert json.loads((out / "faces.json").read_text())["format"] == "restora.faces/1"
    # a re-run replaces restora's own files
    write_face_outputs(photos, out, group_threshold=1.0)


def test_foreign_files_are_never_replaced(tmp_path):
    out = tmp_path / "out"
    (out / "crops").mkdir(parents=True)
    (out / "crops" / "a_face0.png").write_bytes(b"mine")
    with pytest.raises(RestoraError, match="overwrite"):
        write_face_outputs([_photo("a.png", [[0, 0]])], out)
    assert (out / "crops" / "a_face0.png").read_bytes() == b"mine"
    (out / "faces.json").write_text("{}")
    with pytest.raises(RestoraError, match="not written by restora"):
        write_face_outputs([_photo("x.png", [[0, 0]])], out)


def test_grouping_needs_embeddings(tmp_path):
    photo = _photo("a.png", [[0, 0]])
    photo.embeddings = None
    with pytest.raises(RestoraError, match="embedding"):
        write_face_outputs([photo], tmp_path / "o", group_threshold=1.0)

"""Face, MTCNN networks and weights loading, detect_faces input checks and settings."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import torch

from restora.core.errors import RestoraError
from restora.models.face.face import Face
from restora.models.face.mtcnn import OLD_PHOTOS, PAPER, MTCNNSettings, detect_faces, pyramid_scales
from restora.models.face.mtcnn_nets import ONet, PNet, RNet
from restora.models.face.mtcnn_weights import (
    find_mtcnn_folder,
    mtcnn_available,
    read_reference_state,
)


def test_face_checks_and_round_trips():
    lm = [(1, 2), (3, 2), (2, 3), (1, 4), (3, 4)]
    face = Face(box=(0, 1, 4, 6), score=0.9, landmarks=lm)
    assert (face.width, face.height, face.size) == (4.0, 5.0, 5.0)
    assert Face.from_dict(face.to_dict()) == face
    double = face.scaled(2)
    assert double.box == (0, 2, 8, 12) and double.landmark_array()[0].tolist() == [2, 4]
    with pytest.raises(ValueError, match="x1 >= x0"):
        Face(box=(5, 0, 1, 1))
    with pytest.raises(ValueError, match="5"):
        Face(box=(0, 0, 1, 1), landmarks=[(0, 0)])
    with pytest.raises(ValueError, match="no landmarks"):
        Face(box=(0, 0, 1, 1)).landmark_array()
    with pytest.raises(ValueError, match="finite"):
        Face(box=(0, 0, float("nan"), 1))


def test_network_shapes():
    x = torch.rand(2, 3, 30, 40)
    reg, prob = PNet()(x)
    assert reg.shape == (2, 4, 10, 15) and prob.shape == (2, 10, 15)
    reg, prob = RNet()(torch.rand(3, 3, 24, 24))
    assert reg.shape == (3, 4) and prob.shape == (3,)
    reg, prob, marks = ONet()(torch.rand(3, 3, 48, 48))
    assert reg.shape == (3, 4) and prob.shape == (3,) and marks.shape == (3, 10)
    assert torch.all((prob >= 0) & (prob <= 1))


def test_pyramid_scales():
    scales = pyramid_scales(100, 200, 20, 0.5)
    assert scales == [0.6, 0.3, 0.15]  # shorter side 60, 30, 15 px >= 12; 7.5 is not
    assert pyramid_scales(100, 200, 20, 0.709)[0] == pytest.approx(0.6)
    assert pyramid_scales(10, 10, 20, 0.709) == []


def test_settings_are_checked():
    with pytest.raises(ValueError, match="min_face"):
        MTCNNSettings(min_face=8)
    with pytest.raises(ValueError, match="thresholds"):
        MTCNNSettings(thresholds=(0.5, 1.5, 0.5))
    with pytest.raises(ValueError, match="factor"):
        MTCNNSettings(factor=1.0)
    assert PAPER.thresholds == (0.6, 0.7, 0.7) and PAPER.factor == 0.709


def test_detect_faces_rejects_bad_images():
    with pytest.raises(ValueError, match="shape"):
        detect_faces(torch.rand(3, 20, 20))
    with pytest.raises(ValueError, match="one RGB or gray"):
        detect_faces(torch.rand(2, 3, 20, 20))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        detect_faces(torch.rand(1, 3, 20, 20) * 255)


def test_missing_weights_folder_is_a_clear_error(tmp_path):
    with pytest.raises(RestoraError, match="MTCNN weights"):
        find_mtcnn_folder(tmp_path)
    assert not mtcnn_available(tmp_path)


class Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


def test_weights_are_read_by_the_allow_list_unpickler(tmp_path):
    safe = tmp_path / "ok.pt"
    torch.save({"conv1.weight": torch.ones(2, 2)}, safe)
    assert read_reference_state(safe)["conv1.weight"].sum() == 4
    evil = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, evil)
    with pytest.raises(
        RestoraError, match="refusing to unpickle posix.system|refusing to unpickle os.system"
    ):
        read_reference_state(evil)
    not_zip = tmp_path / "junk.pt"
    not_zip.write_bytes(b"not a checkpoint")
    with pytest.raises(RestoraError):
        read_reference_state(not_zip)
    assert zipfile.is_zipfile(safe) and io  # torch.save writes zip files: the path tested above


@pytest.fixture(scope="module")
def caltech(shared):
    from restora.io import read_image

    return read_image(shared / "train" / "caltech_faces" / "image_0047.jpg").image


def test_one_face_with_plausible_landmarks(caltech):
    faces = detect_faces(caltech, settings=PAPER)
    assert len(faces) == 1
    face = faces[0]
    assert face.score > 0.99 and 100 < face.size < 250
    lm = face.landmark_array()
    left_eye, right_eye, nose, mouth_l, mouth_r = lm
    assert left_eye[0] < right_eye[0] and mouth_l[0] < mouth_r[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_l[1], mouth_r[1])
    x0, y0, x1, y1 = face.box
    assert np.all((lm[:, 0] > x0) & (lm[:, 0] < x1) & (lm[:, 1] > y0) & (lm[:, 1] < y1))


def test_gray_input_and_max_side_map_back_to_full_size(caltech):
    gray = caltech.mean(dim=1, keepdim=True)
    assert len(detect_faces(gray, settings=PAPER)) == 1
    big = torch.nn.functional.interpolate(caltech, scale_factor=2, mode="bilinear").clamp(0, 1)
    small = detect_faces(caltech, settings=PAPER)[0]
    capped = detect_faces(big, settings=MTCNNSettings(max_side=448))[0]
    assert np.allclose(np.array(capped.box) / 2, small.box, atol=6)
    assert OLD_PHOTOS.max_side is not None

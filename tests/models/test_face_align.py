import numpy as np
import pytest
import torch

from restora.models.face.align import TEMPLATE_112, align_face, alignment_matrix
from restora.models.face.face import Face


def test_matrix_maps_landmarks_onto_the_template():
    angle, scale = 0.4, 2.5
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    landmarks = TEMPLATE_112 @ rot.T + [300, 120]
    m = alignment_matrix(landmarks, 56)
    mapped = landmarks @ m[:, :2].T + m[:, 2]
    assert np.allclose(mapped, TEMPLATE_112 / 2, atol=1e-9)
    with pytest.raises(ValueError, match="size"):
        alignment_matrix(landmarks, 4)


def test_align_face_puts_marked_eyes_at_the_template():
    image = torch.zeros(1, 1, 300, 400)
    landmarks = TEMPLATE_112 * 1.7 + [120, 60]
    for x, y in landmarks[:2]:
        image[0, 0, round(y) - 1 : round(y) + 2, round(x) - 1 : round(x) + 2] = 1.0
    face = Face(box=(100, 50, 320, 280), landmarks=landmarks.tolist())
    crop = align_face(image, face, 112)
    assert crop.shape == (1, 1, 112, 112)
    for tx, ty in TEMPLATE_112[:2]:
        patch = crop[0, 0, round(ty) - 2 : round(ty) + 3, round(tx) - 2 : round(tx) + 3]
        assert float(patch.max()) > 0.5
    assert float(crop.sum()) < 40  # nothing else is bright


def test_align_face_without_landmarks_crops_the_box():
    image = torch.zeros(1, 3, 100, 100)
    image[..., 20:60, 30:70] = 1.0
    crop = align_face(image, Face(box=(30, 20, 70, 60)), 32)
    assert float(crop[..., 2:30, 2:30].min()) > 0.9

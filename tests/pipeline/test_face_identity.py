"""The report measures each face's identity before vs after restoration and flags drift."""

from __future__ import annotations

import pytest
import torch

from restora.io import read_image
from restora.models.face.mtcnn_weights import mtcnn_available
from restora.pipeline.report import face_identity, report_panel
from restora.pipeline.restoration import Restoration


@pytest.fixture
def face_photo(shared) -> torch.Tensor:
    if not mtcnn_available():
        pytest.skip("MTCNN reference weights not found")
    return read_image(shared / "train" / "caltech_faces" / "image_0381.jpg").image


def test_identity_is_kept_by_a_light_change_and_lost_by_a_heavy_one(face_photo):
    kept = Restoration.start(face_photo)
    kept.image = (face_photo + 0.01).clamp(0, 1)
    faces = face_identity(kept)
    assert faces and faces[0]["landmarks"] is not None
    assert faces[0]["identity_distance"] < faces[0]["drift_threshold"]
    assert not faces[0]["drifted"]
    lost = Restoration.start(face_photo)
    x0, y0, x1, y1 = (int(v) for v in faces[0]["box"])
    scrambled = face_photo.clone()
    region = scrambled[..., y0:y1, x0:x1]
    scrambled[..., y0:y1, x0:x1] = region.flip(-2)  # the face upside down
    lost.image = scrambled
    far = face_identity(lost)
    assert far[0]["drifted"] and far[0]["identity_distance"] > faces[0]["identity_distance"]
    # the panel draws the faces found (green boxes in the middle panel)
    panel = report_panel(kept, height=296)
    middle = panel[..., 448 + 8 : 2 * 448 + 8]
    assert bool(((middle[0, 1] > 0.8) & (middle[0, 0] < 0.2) & (middle[0, 2] < 0.3)).any())


def test_no_face_detector_means_no_identity_record(photo, monkeypatch):
    import restora.pipeline.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "default_detector", lambda: None)
    assert face_identity(Restoration.start(photo)) is None

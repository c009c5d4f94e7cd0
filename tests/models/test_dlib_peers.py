"""dlib peers (restora[faces]): HOG / MMOD boxes and the ResNet embedder on caltech photos."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.models.face.dlib_peers import (
    DlibEmbedder,
    dlib_available,
    dlib_detect,
    dlib_model_path,
)
from restora.models.face.mtcnn import PAPER, detect_faces
from restora.ops.boxes import box_iou

pytestmark = pytest.mark.skipif(
    not dlib_available(), reason="needs restora[faces] (dlib-bin, face-recognition-models)"
)


def test_model_files_are_found_and_the_68_point_model_is_never_named():
    for name in ("mmod", "shape5", "resnet"):
        assert dlib_model_path(name).is_file()
    import restora.models.face.dlib_peers as peers

    assert "68" not in "".join(peers._MODELS.values())


def test_bad_method():
    with pytest.raises(ValueError, match="hog"):
        dlib_detect(torch.zeros(1, 3, 8, 8), method="cnn")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def photos(shared):
    from restora.io import read_image

    root = shared / "train" / "caltech_faces"
    return {n: read_image(root / f"image_{n}.jpg").image for n in ("0001", "0002", "0069")}


@pytest.mark.parametrize("method", ["hog", "mmod"])
def test_detectors_agree_with_mtcnn_on_a_portrait(photos, method):
    image = torch.nn.functional.interpolate(photos["0001"], scale_factor=0.5, mode="area")
    faces = dlib_detect(image, method=method, upsample=1)
    assert len(faces) >= 1 and faces[0].landmarks is None
    ours = detect_faces(image, settings=PAPER)
    assert box_iou(np.array([faces[0].box]), np.array([ours[0].box]))[0, 0] > 0.4


def test_embedder_separates_people(photos):
    embedder = DlibEmbedder()
    e = {n: embedder.embed(x, detect_faces(x, settings=PAPER)[:1])[0] for n, x in photos.items()}
    same = np.linalg.norm(e["0001"] - e["0002"])
    other = np.linalg.norm(e["0001"] - e["0069"])
    assert same < embedder.threshold < other
    assert embedder.embed(photos["0001"], []).shape == (0, 128)

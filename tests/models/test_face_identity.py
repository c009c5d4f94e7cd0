import numpy as np
import pytest
import torch

from restora.models.face.face import Face
from restora.models.face.identity import drifted, identity_distance


class MeanEmbedder:
    """A stand-in embedder: the mean colour inside each face box (scale-free)."""

    name = "mean"
    threshold = 0.2

    def embed(self, image, faces):
        rows = []
        for f in faces:
            x0, y0, x1, y1 = (int(round(v)) for v in f.box)
            rows.append(image[0, :, y0:y1, x0:x1].mean(dim=(1, 2)).double().numpy())
        return np.stack(rows)


def test_identity_distance_follows_the_face_and_scales():
    before = torch.zeros(1, 3, 40, 60)
    before[..., 10:20, 10:20] = 0.5
    face = Face(box=(10, 10, 20, 20))
    after = before.clone()
    after[..., 10:20, 10:20] = 0.8  # the face changed
    after[..., 30:, :] = 1.0  # elsewhere does not matter
    d = identity_distance(before, after, [face], MeanEmbedder())
    assert d.shape == (1,) and d[0] == pytest.approx(0.3 * np.sqrt(3), rel=1e-5)
    twice = torch.nn.functional.interpolate(before, scale_factor=2, mode="nearest")
    assert identity_distance(before, twice, [face], MeanEmbedder())[0] == pytest.approx(
        0.0, abs=1e-6
    )
    assert drifted(d, MeanEmbedder()).tolist() == [True]
    assert drifted(np.array([0.05]), MeanEmbedder()).tolist() == [False]
    assert identity_distance(before, after, [], MeanEmbedder()).shape == (0,)


def test_identity_distance_rejects_a_different_photo():
    with pytest.raises(ValueError, match="not a resized"):
        identity_distance(torch.zeros(1, 3, 40, 60), torch.zeros(1, 3, 40, 40), [], MeanEmbedder())

import numpy as np
import pytest
import torch

from restora.data.faces import FaceRecord, augment_face, face_crop_gray, pk_batch, to_gray
from restora.models.face.align import TEMPLATE_112


def _record(label=0):
    image = torch.rand(1, 3, 200, 160, generator=torch.Generator().manual_seed(label))
    return FaceRecord(image, TEMPLATE_112 + [20, 40], label, f"r{label}")


def test_augment_is_seeded_and_in_range():
    record = _record()
    a = augment_face(record, np.random.default_rng(3), size=48)
    b = augment_face(record, np.random.default_rng(3), size=48)
    c = augment_face(record, np.random.default_rng(4), size=48)
    assert a.shape == (1, 1, 48, 48) and torch.equal(a, b) and not torch.equal(a, c)
    assert float(a.min()) >= 0 and float(a.max()) <= 1


def test_crop_and_gray():
    rgb = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1).expand(1, 3, 4, 4)
    assert torch.allclose(to_gray(rgb), torch.full((1, 1, 4, 4), 0.299))
    crop = face_crop_gray(_record().image, TEMPLATE_112 + [20, 40], 32, 1.0)
    assert crop.shape == (1, 1, 32, 32)


def test_pk_batch_draws_p_identities_k_each():
    labels = np.array([0] * 5 + [1] * 2 + [2] * 1 + [3] * 8)
    rng = np.random.default_rng(0)
    idx = pk_batch(labels, rng, identities=3, per_identity=4)
    assert len(idx) == 12
    groups = labels[idx].reshape(3, 4)
    assert all(len(set(g)) == 1 for g in groups) and len({g[0] for g in groups}) == 3
    for g, rows in zip(groups, idx.reshape(3, 4), strict=True):
        if (labels == g[0]).sum() >= 4:
            assert len(set(rows)) == 4  # without replacement when possible
    with pytest.raises(ValueError, match="two identities"):
        pk_batch(np.zeros(5), rng, identities=2, per_identity=2)

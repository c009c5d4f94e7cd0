"""The second look at marks over faces, inside the damage stage: asked about the marks the face
rules leave, it can fill them; off, or not installed, nothing changes (and the report says)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import restora
from restora.models.face.face import Face
from restora.pipeline.stages import detect

LANDMARKS = ((110.0, 95.0), (150.0, 95.0), (130.0, 115.0), (115.0, 135.0), (145.0, 135.0))


class FlatProbability:
    """A stand-in damage network: probability 0.8 (weak for a face) on dark pixels."""

    tile_overlap = 8
    bytes_per_pixel = 64.0
    tile_align = 1

    def auto_views(self, height: int, width: int) -> int:
        return 1

    def __call__(self, image: torch.Tensor, *, views: int = 1) -> torch.Tensor:
        return 0.8 * (image.mean(1, keepdim=True) < 0.3).float()


@pytest.fixture
def speckled_face(monkeypatch) -> torch.Tensor:
    """A gray photo with one face (landmarks known) and a dark 3 px speck on its forehead."""
    import restora.pipeline.analysis as analysis_module

    face = Face(box=(95.0, 70.0, 165.0, 150.0), score=0.99, landmarks=LANDMARKS)
    monkeypatch.setattr(analysis_module, "default_detector", lambda: "mtcnn")
    monkeypatch.setattr(analysis_module, "find_faces", lambda image, *, method: [face])
    monkeypatch.setattr(detect, "_network", lambda: FlatProbability())
    monkeypatch.setattr(
        detect, "learned_probability", lambda image, ctx, **kw: FlatProbability()(image)
    )
    monkeypatch.setattr(detect, "_face_network", lambda: None)
    image = torch.full((1, 3, 192, 256), 0.6)
    image[..., 70:73, 129:132] = 0.1
    return image


def test_the_stage_asks_the_second_look_and_fills_what_it_calls_damage(speckled_face, monkeypatch):
    asked: list[np.ndarray] = []

    def look(features: np.ndarray) -> np.ndarray:
        asked.append(features)
        return np.full(len(features), 0.99)

    monkeypatch.setattr(detect, "_face_marks", lambda: look)
    options = dict(stages=["detect_damage"], detect={"method": "learned", "face_head": False})
    out = restora.restore(speckled_face, **options)
    assert len(asked) == 1 and asked[0].shape[0] == 1
    assert float(out.mask[0, 0, 70:73, 129:132].min()) == 1.0
    assert "second look" in out.damage[0].reason
    asked.clear()
    off = restora.restore(
        speckled_face,
        stages=["detect_damage"],
        detect={"method": "learned", "face_head": False, "face_marks": False},
    )
    assert asked == [] and float(off.mask.max()) == 0.0  # the face rules alone leave it
    monkeypatch.setattr(detect, "_face_marks", lambda: None)
    missing = restora.restore(speckled_face, **options)
    notes = " ".join(missing.record("detect_damage").notes)
    assert float(missing.mask.max()) == 0.0 and "damage.face_marks) not installed" in notes


def test_the_shipped_second_look_reads_the_features_restora_computes(monkeypatch):
    from restora.core.errors import RestoraError
    from restora.models.face.mark_verifier import TreeEnsemble
    from restora.ops.face_marks import MARK_FEATURES

    detect._face_marks.cache_clear()
    look = detect._face_marks()
    assert look is not None
    p = look(np.zeros((3, len(MARK_FEATURES)), np.float32))
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()
    # weights for another feature list are refused, not silently misread
    stale = TreeEnsemble(features=list(MARK_FEATURES[:-1]))
    monkeypatch.setattr(detect, "load_model", lambda folder: stale)
    detect._face_marks.cache_clear()
    with pytest.raises(RestoraError, match="reads the features"):
        detect._face_marks()
    detect._face_marks.cache_clear()

"""inpaint.face_mirror: holes over a frontal face's eyes and mouth are refilled from the
mirrored side after the inpainter; a turned face or the option off leaves the plain fill."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tests.unit.ops.test_face_fill import MARKS, _face

import restora
from restora.models.face.face import Face
from restora.pipeline.stages.inpaint import mirror_faces

BOX = (40.0, 40.0, 120.0, 130.0)


@pytest.fixture
def eye_hole() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The test face (clean), the same with its right eye smeared, and the hole."""
    clean = torch.from_numpy(_face()).permute(2, 0, 1)[None].contiguous()
    hole = torch.zeros(1, 1, 160, 160)
    hole[..., 58:82, 92:108] = 1
    smeared = clean * (1 - hole) + 0.35 * hole
    return clean, smeared, hole


def test_a_frontal_face_gets_its_eye_back_and_a_turned_one_is_left(eye_hole) -> None:
    clean, smeared, hole = eye_hole
    out, n = mirror_faces(smeared, hole, [Face(box=BOX, score=0.99, landmarks=MARKS)])
    inside = hole[0, 0] > 0.5
    assert n > 0 and torch.equal(out[..., ~inside], smeared[..., ~inside])
    deep = torch.zeros_like(inside)
    deep[63:77, 97:103] = True  # 5 px and more inside the hole
    error = (out - clean).abs()[..., deep].mean() / (smeared - clean).abs()[..., deep].mean()
    assert error < 0.25
    assert torch.equal(smeared, eye_hole[1])  # the caller's tensor is not changed
    turned = list(MARKS)
    turned[2] = (95.0, 90.0)  # the nose 0.375 eye distances off the axis
    same, m = mirror_faces(smeared, hole, [Face(box=BOX, score=0.99, landmarks=tuple(turned))])
    assert m == 0 and torch.equal(same, smeared)
    untouched, k = mirror_faces(smeared, hole, [Face(box=BOX, score=0.99)])  # no landmarks
    assert k == 0 and torch.equal(untouched, smeared)


def test_the_stage_uses_it_by_default_and_says_so(eye_hole, monkeypatch) -> None:
    import restora.pipeline.analysis as analysis_module

    _, smeared, hole = eye_hole
    face = Face(box=BOX, score=0.99, landmarks=MARKS)
    monkeypatch.setattr(analysis_module, "default_detector", lambda: "mtcnn")
    monkeypatch.setattr(analysis_module, "find_faces", lambda image, *, method: [face])
    on = restora.restore(smeared, mask=hole, stages=["inpaint"], inpaint={"method": "telea"})
    off = restora.restore(
        smeared, mask=hole, stages=["inpaint"], inpaint={"method": "telea", "face_mirror": False}
    )
    assert any("mirrored side" in n for n in on.record("inpaint").notes)
    assert not any("mirrored side" in n for n in off.record("inpaint").notes)
    inside = hole[0, 0] > 0.5
    assert torch.equal(on.image[..., ~inside], off.image[..., ~inside])  # the user's mask only
    assert not np.allclose(on.image[..., inside].numpy(), off.image[..., inside].numpy())

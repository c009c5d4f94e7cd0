"""Do no harm: what detect_damage flags is repaired only where it is worth it, faces get stricter
rules, and the report lists every decision (issue 17.4)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

import restora
from restora.models.face.face import Face
from restora.pipeline.report import damage_summary, report_dict, report_panel
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages import detect


@pytest.fixture
def marked(photo) -> torch.Tensor:
    """``photo`` with a bright scratch along row 150."""
    out = photo.clone()
    out[..., 149:151, 5:251] = 0.97
    return out


@pytest.fixture
def crafted(monkeypatch):
    """The network replaced by a crafted probability map: the scratch of ``marked`` (0.9)
    crossing a face, a weak blob (0.75) and a strong blob (0.95) outside it, a blob over the
    face (0.95)."""
    p = np.zeros((192, 256), np.float32)
    p[149:151, 5:251] = 0.9
    cv2.circle(p, (40, 60), 18, 0.75, -1)
    cv2.circle(p, (210, 50), 18, 0.95, -1)
    cv2.circle(p, (128, 110), 12, 0.95, -1)
    probability = torch.from_numpy(p)[None, None]

    def fake_probability(image, ctx=None, *, views=4, network=None, pyramid_min_side=None):
        return probability

    monkeypatch.setattr(detect, "learned_probability", fake_probability)
    monkeypatch.setattr(detect, "_face_network", lambda: None)  # the map is the whole story
    import restora.pipeline.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "default_detector", lambda: "hog")
    face = Face(box=(90.0, 80.0, 170.0, 185.0), score=0.99)
    monkeypatch.setattr(analysis_module, "find_faces", lambda image, *, method: [face])
    return probability


def test_blobs_need_strong_evidence_and_faces_keep_theirs(marked, crafted):
    out = restora.restore(marked, stages=["detect_damage"], detect={"method": "learned"})
    mask = out.mask[0, 0]
    assert float(mask[150, 20]) == 1.0  # the scratch outside the face is repaired
    assert float(mask[150, 128]) == 1.0  # ... and where it crosses the face (strong, thin)
    assert float(mask[60, 40]) == 0.0  # weak blob: left alone
    assert float(mask[50, 210]) == 1.0  # strong blob: repaired
    assert float(mask[110, 128]) == 0.0  # blob over a face: never repaired
    left = [c for c in out.damage if not c.fill]
    # the blob over the face is cut at the core's edge: one piece in the core, one in the face
    assert {(c.kind, c.where) for c in left} == {
        ("blob", "outside"),
        ("blob", "core"),
        ("blob", "face"),
    }
    assert any("weak evidence" in c.reason for c in left)
    assert any("over a face" in c.reason for c in left)
    notes = out.record("detect_damage").notes
    assert "3 left alone" in notes[1] and "2 over faces" in notes[1]


def test_the_report_lists_each_decision_and_draws_them(marked, crafted):
    spec = PipelineSpec.from_kwargs(stages=["detect_damage", "inpaint"], detect_method="learned")
    out = restora.restore(marked, spec=spec)
    summary = damage_summary(out)
    assert summary["counts"]["left_alone"] == {"blob": 3}
    assert len(summary["left_alone"]) == 3 and summary["left_alone"][0]["reason"]
    record = report_dict(out, spec)
    assert record["damage"] == summary and record["analysis"]["faces"][0]["score"] == 0.99
    panel = report_panel(out, height=192)
    middle = panel[..., 256 + 8 : 2 * 256 + 8]
    yellow = (middle[0, 0] > 0.9) & (middle[0, 1] > 0.75) & (middle[0, 2] < 0.1)
    green = (middle[0, 1] > 0.8) & (middle[0, 0] < 0.2)
    assert bool(yellow.any()) and bool(green.any())
    # What is left alone is not touched by the fill; the repaired scratch is.
    assert torch.equal(out.image[..., 45:75, 25:55], marked[..., 45:75, 25:55])
    assert torch.equal(out.image[..., 100:120, 118:138], marked[..., 100:120, 118:138])
    assert float((out.image[..., 149:151, 20:60] - marked[..., 149:151, 20:60]).abs().max()) > 0.1


def test_all_components_can_be_asked_for(marked, crafted):
    out = restora.restore(
        marked, stages=["detect_damage"], detect={"method": "learned", "components": "all"}
    )
    assert float(out.mask[0, 0, 60, 40]) == 1.0 and float(out.mask[0, 0, 110, 128]) == 1.0
    assert all(c.fill for c in out.damage)


def test_a_user_mask_gets_no_decisions(photo, crafted):
    mask = torch.zeros(1, 1, *photo.shape[-2:])
    mask[..., 40:80, 20:60] = 1
    out = restora.restore(photo, mask=mask, stages=["detect_damage", "inpaint"])
    assert out.damage == [] and torch.equal(out.mask, mask)

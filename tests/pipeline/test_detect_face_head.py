"""The face head: inside each head the analysis finds, a second network's probability is
added (the higher of the two kept) before the decisions; nothing changes outside the heads."""

from __future__ import annotations

import pytest
import torch

import restora
from restora.models.face.face import Face
from restora.ops.damage_components import FaceRegion
from restora.pipeline.stages import detect


class BrightDots:
    """A stand-in face head: probability 1 where the photo is brighter than 0.8."""

    tile_overlap = 8
    bytes_per_pixel = 64.0
    tile_align = 1

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def auto_views(self, height: int, width: int) -> int:
        return 1

    def __call__(self, image: torch.Tensor, *, views: int = 1) -> torch.Tensor:
        self.sizes.append(tuple(image.shape[-2:]))
        return (image.mean(1, keepdim=True) > 0.8).float()


@pytest.fixture
def dotted() -> torch.Tensor:
    """Gray 192 x 256 photo with white 3 px dots at (100, 128) and (20, 230)."""
    image = torch.full((1, 3, 192, 256), 0.4)
    image[..., 99:102, 127:130] = 1.0
    image[..., 19:22, 229:232] = 1.0
    return image


def test_only_the_heads_get_the_face_heads_probability(dotted):
    probability = torch.full((1, 1, 192, 256), 0.25)
    head = FaceRegion(box=(60, 150, 90, 170), core=(80, 130, 105, 155))
    network = BrightDots()
    out = detect.with_face_head(probability, dotted, [head], network)
    assert float(out[0, 0, 100, 128]) == 1.0  # the dot in the head
    assert float(out[0, 0, 20, 230]) == 0.25  # the dot outside any head: untouched
    assert float(out[0, 0, 70, 100]) == 0.25  # the higher of the two is kept
    assert float(probability.max()) == 0.25  # the caller's map is not changed
    # the head was seen with FACE_CONTEXT px around it (clipped at the photo's edges)
    c = detect.FACE_CONTEXT
    assert network.sizes == [(150 - 60 + 2 * c, 170 - 90 + 2 * c)]
    edge = FaceRegion(box=(0, 50, 200, 256), core=(10, 40, 210, 250))
    network.sizes.clear()
    detect.with_face_head(probability, dotted, [edge], network)
    assert network.sizes == [(50 + c, 256 - 200 + c)]


@pytest.fixture
def one_face(monkeypatch):
    import restora.pipeline.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "default_detector", lambda: "hog")
    face = Face(box=(90.0, 60.0, 170.0, 150.0), score=0.99)
    monkeypatch.setattr(analysis_module, "find_faces", lambda image, *, method: [face])


def test_the_stage_runs_the_face_head_on_the_heads_and_says_so(dotted, one_face, monkeypatch):
    network = BrightDots()
    monkeypatch.setattr(detect, "_face_network", lambda: network)
    out = restora.restore(dotted, stages=["detect_damage"], detect={"method": "learned"})
    assert len(network.sizes) == 1
    assert "face head on 1 head" in out.record("detect_damage").notes[0]
    network.sizes.clear()
    off = restora.restore(
        dotted, stages=["detect_damage"], detect={"method": "learned", "face_head": False}
    )
    assert network.sizes == [] and "face head" not in " ".join(off.record("detect_damage").notes)
    monkeypatch.setattr(detect, "_face_network", lambda: None)
    missing = restora.restore(dotted, stages=["detect_damage"], detect={"method": "learned"})
    assert any("not installed" in n for n in missing.record("detect_damage").notes)


def test_without_faces_the_face_head_never_runs(dotted, monkeypatch):
    import restora.pipeline.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "default_detector", lambda: "hog")
    monkeypatch.setattr(analysis_module, "find_faces", lambda image, *, method: [])
    network = BrightDots()
    monkeypatch.setattr(detect, "_face_network", lambda: network)
    restora.restore(dotted, stages=["detect_damage"], detect={"method": "learned"})
    assert network.sizes == []

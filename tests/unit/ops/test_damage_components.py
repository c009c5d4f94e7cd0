"""Per-component repair decisions: thin, spotty and border damage is filled; large blobs only on
strong evidence; inside faces stricter still."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.ops.damage_components import (
    ComponentRules,
    DetectionRules,
    FaceRegion,
    classify_components,
    decide_damage,
    hysteresis_mask,
    mask_of,
    refine_detection,
)
from restora.ops.face_marks import MARK_FEATURES


def _canvas(h: int = 200, w: int = 240) -> np.ndarray:
    return np.zeros((h, w), np.uint8)


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.astype(np.float32))[None, None]


def test_a_branching_crack_network_is_a_line_however_large() -> None:
    m = _canvas()
    cv2.line(m, (10, 20), (230, 180), 1, 2)
    cv2.line(m, (120, 100), (200, 10), 1, 1)
    cv2.line(m, (60, 57), (30, 190), 1, 2)
    _, parts = classify_components(_tensor(m))
    assert len(parts) == 1
    assert parts[0].kind == "line" and parts[0].fill
    assert parts[0].thickness <= 4


def test_kinds_and_default_decisions() -> None:
    m = _canvas()
    cv2.circle(m, (40, 40), 3, 1, -1)  # dust speck
    cv2.circle(m, (150, 100), 30, 1, -1)  # a large blob inside the frame
    cv2.rectangle(m, (0, 170), (40, 199), 1, -1)  # a torn corner
    prob = np.where(m > 0, 0.6, 0.0)
    labels, parts = classify_components(_tensor(m), _tensor(prob))
    kinds = {p.kind: p for p in parts}
    assert set(kinds) == {"spot", "blob", "border"}
    assert kinds["spot"].fill and kinds["border"].fill
    assert not kinds["blob"].fill and "weak evidence" in kinds["blob"].reason
    filled = mask_of(labels, parts)
    left = mask_of(labels, parts, fill=False)
    assert float(filled.sum() + left.sum()) == float(m.sum())
    assert float(left[0, 0, 100, 150]) == 1.0 and float(filled[0, 0, 40, 40]) == 1.0


def test_a_blob_with_strong_evidence_is_filled() -> None:
    m = _canvas()
    cv2.circle(m, (150, 100), 30, 1, -1)
    _, parts = classify_components(_tensor(m), _tensor(np.where(m > 0, 0.95, 0.0)))
    assert parts[0].kind == "blob" and parts[0].fill


def test_faces_ask_for_more_evidence_and_never_take_blobs() -> None:
    m = _canvas()
    cv2.line(m, (70, 100), (190, 110), 1, 2)  # a crack inside the face box
    cv2.circle(m, (100, 60), 4, 1, -1)  # a dark eye read as a speck (in the core)
    cv2.circle(m, (160, 150), 25, 1, -1)  # a cheek read as a blob
    face = FaceRegion(box=(30, 190, 60, 200), core=(40, 90, 80, 130))
    weak = _tensor(np.where(m > 0, 0.6, 0.0))
    _, parts = classify_components(_tensor(m), weak, faces=[face])
    assert all(p.where != "outside" and not p.fill for p in parts)
    assert {p.kind: p.where for p in parts}["spot"] == "core"
    strong = _tensor(np.where(m > 0, 0.8, 0.0))
    _, parts = classify_components(_tensor(m), strong, faces=[face])
    # lines need 0.8 in a face (and length), spots 0.9, blobs are never filled there
    assert {p.kind: p.fill for p in parts} == {"line": True, "spot": False, "blob": False}
    # The same damage outside any face is filled on weak evidence (but the weak blob is not).
    far = FaceRegion(box=(0, 5, 0, 5), core=(0, 2, 0, 2))
    _, parts = classify_components(_tensor(m), weak, faces=[far])
    assert {p.kind: p.fill for p in parts} == {"line": True, "spot": True, "blob": False}


def test_a_crack_crossing_a_face_is_judged_piece_by_piece() -> None:
    m = _canvas()
    cv2.line(m, (5, 100), (235, 100), 1, 2)
    face = FaceRegion(box=(50, 150, 80, 160), core=(80, 120, 100, 140))
    prob = _tensor(np.where(m > 0, 0.6, 0.0))
    labels, parts = classify_components(_tensor(m), prob, faces=[face])
    where = sorted(p.where for p in parts)
    assert where == ["core", "face", "outside"]  # one piece per region, both sides outside
    filled = mask_of(labels, parts)[0, 0]
    assert float(filled[100, 20]) == 1.0 and float(filled[100, 120]) == 0.0


def test_short_lines_over_a_face_are_left_long_ones_filled() -> None:
    m = _canvas()
    cv2.line(m, (70, 100), (190, 100), 1, 2)  # a crack across the face: 120 px
    cv2.line(m, (90, 150), (120, 150), 1, 2)  # a lip line: 30 px
    face = FaceRegion(box=(30, 190, 60, 200), core=(160, 170, 0, 5))
    _, parts = classify_components(_tensor(m), _tensor(np.where(m > 0, 0.85, 0.0)), faces=[face])
    fills = {(p.box[0] + p.box[1]) // 100: p.fill for p in parts}  # by row band
    assert fills == {2: True, 3: False}
    assert any("short line" in p.reason for p in parts if not p.fill)


def test_weak_lines_blobs_and_border_pieces_need_a_second_detector() -> None:
    m = _canvas()
    cv2.line(m, (20, 40), (220, 40), 1, 2)  # a scratch both detectors see
    cv2.line(m, (20, 120), (220, 130), 1, 3)  # a tripod leg only the network sees
    cv2.circle(m, (120, 180), 3, 1, -1)  # a speck: spots need no confirmation
    support = _canvas()
    cv2.line(support, (40, 41), (200, 41), 1, 1)  # confirmed within 2 px, not pixel-exact
    moderate = _tensor(np.where(m > 0, 0.85, 0.0))
    _, parts = classify_components(_tensor(m), moderate, support=_tensor(support))
    by_row = {(p.box[0] + p.box[1]) // 100: p for p in parts}
    assert by_row[0].fill and not by_row[2].fill and by_row[3].fill
    assert "not confirmed" in by_row[2].reason
    # strong evidence needs no second opinion; without a support map nothing is asked
    strong = _tensor(np.where(m > 0, 0.95, 0.0))
    _, parts = classify_components(_tensor(m), strong, support=_tensor(support))
    assert all(p.fill for p in parts)
    _, parts = classify_components(_tensor(m), moderate)
    assert all(p.fill for p in parts)
    with pytest.raises(ValueError, match="support"):
        classify_components(_tensor(m), moderate, support=_tensor(_canvas(10, 10)))


def test_over_faces_the_face_rules_judge_alone_without_a_second_detector() -> None:
    """The classical filters leave faces alone, so over a face their agreement is not asked:
    a long crack with the face's evidence is filled there, unconfirmed; outside the same
    unconfirmed crack is not."""
    m = _canvas()
    cv2.line(m, (70, 100), (190, 100), 1, 2)  # a crack across the face: 120 px
    cv2.line(m, (20, 20), (220, 20), 1, 2)  # the same kind of crack above it
    face = FaceRegion(box=(60, 190, 60, 200), core=(160, 170, 0, 5))
    prob = _tensor(np.where(m > 0, 0.85, 0.0))
    _, parts = classify_components(_tensor(m), prob, faces=[face], support=_tensor(_canvas()))
    fills = {(p.box[0] + p.box[1]) // 100: (p.where, p.fill) for p in parts}
    assert fills == {2: ("face", True), 0: ("outside", False)}


def test_sizes_grow_with_the_photo() -> None:
    """A 10 px wide band is a blob on a 512 px photo and a line on a 24 MP scan's scale."""
    small = _canvas(512, 512)
    cv2.line(small, (20, 250), (490, 260), 1, 10)
    big = np.zeros((4000, 4000), np.uint8)
    cv2.line(big, (20, 250), (3900, 260), 1, 10)
    assert classify_components(_tensor(small))[1][0].kind == "blob"
    assert classify_components(_tensor(big))[1][0].kind == "line"
    rules = ComponentRules(line_width=12.0)
    assert classify_components(_tensor(small), rules=rules)[1][0].kind == "line"


def test_empty_mask_and_shape_checks() -> None:
    labels, parts = classify_components(torch.zeros(1, 1, 8, 8))
    assert parts == [] and int(labels.max()) == 0
    with pytest.raises(ValueError, match="must match"):
        classify_components(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 9))


def test_hysteresis_keeps_weak_pixels_connected_to_strong_ones() -> None:
    p = np.zeros((20, 40), np.float32)
    p[5, 2:30] = 0.4
    p[5, 10] = 0.9  # a seed on the first line
    p[15, 2:30] = 0.45  # a weak line without a seed
    out = hysteresis_mask(_tensor(p), low=0.3, high=0.8)[0, 0]
    assert float(out[5].sum()) == 28 and float(out[15].sum()) == 0
    with pytest.raises(ValueError):
        hysteresis_mask(_tensor(p), low=0.9, high=0.5)


def _rgb(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.repeat(a[:, :, None], 3, 2).astype(np.float32)).permute(2, 0, 1)[
        None
    ]


def test_edge_pixels_mark_object_rims_not_marks_on_an_even_background() -> None:
    from restora.ops.damage_components import edge_pixels

    image = np.full((64, 128), 0.4, np.float32)
    image[:, 64:] = 0.8
    cv2.line(image, (10, 5), (10, 60), 0.9, 2)  # bright scratch on the dark half
    cv2.line(image, (100, 5), (100, 60), 0.2, 2)  # dark scratch on the bright half
    edges = edge_pixels(_rgb(image))
    assert not edges[10:50, 10].any() and not edges[10:50, 100].any()
    assert edges[10:50, 63:65].all()


def test_refine_detection_drops_rims_and_weak_blobs_keeps_marks() -> None:
    image = np.full((120, 160), 0.3, np.float32)
    image[:, 80:] = 0.85  # a bright object: its rim at x = 80
    cv2.line(image, (20, 10), (30, 110), 0.95, 2)  # a real scratch on the dark side
    probability = np.zeros_like(image)
    probability[5:115, 79:82] = 0.8  # the network took the rim for a scratch
    cv2.line(probability, (20, 10), (30, 110), 0.9, 3)
    cv2.circle(probability, (120, 60), 20, 0.6, -1)  # a weak blob inside the object
    p = torch.from_numpy(probability)[None, None]
    mask = refine_detection(p, _rgb(image), rules=DetectionRules(high=0.7, low=0.5))[0, 0]
    assert float(mask[60, 25]) == 1.0  # the scratch stays
    assert float(mask[60, 80]) == 0.0  # the rim goes (contour rule)
    assert float(mask[60, 120]) == 0.0  # the blob never reached 0.7
    blobs = ComponentRules(blob_evidence=0.7)
    rules = DetectionRules(high=0.55, low=0.5, contour=1.0, components=blobs)
    labels, parts = decide_damage(p, _rgb(image), rules=rules)
    mask = mask_of(labels, parts)[0, 0]
    assert float(mask[60, 80]) == 1.0 and float(mask[60, 120]) == 0.0
    assert [c.reason for c in parts if c.kind == "blob"][0].startswith("large blob")
    loose = DetectionRules(
        high=0.55, low=0.5, contour=1.0, components=ComponentRules(blob_evidence=0.0)
    )
    assert float(refine_detection(p, _rgb(image), rules=loose)[0, 0, 60, 120]) == 1.0
    with pytest.raises(ValueError):
        DetectionRules(high=0.4, low=0.6)


def test_sensitivity_scales_both_thresholds() -> None:
    rules = DetectionRules(high=0.7, low=0.4)
    assert rules.at_sensitivity(0.5) == rules
    higher = rules.at_sensitivity(0.75)
    assert higher.high == pytest.approx(0.35) and higher.low == pytest.approx(0.2)
    lower = rules.at_sensitivity(0.0)
    assert lower.high == 0.98 and lower.low == pytest.approx(0.8)


def test_edge_pixels_on_a_large_scan_work_on_a_smaller_copy() -> None:
    from restora.ops.damage import damage_scale
    from restora.ops.damage_components import edge_pixels

    image = np.full((2100, 2100), 0.4, np.float32)
    image[:, 1050:] = 0.8
    cv2.line(image, (300, 100), (310, 2000), 0.95, 3)  # a scratch, 3 px wide at this size
    scale = damage_scale(*image.shape)
    assert scale >= 2  # the path under test
    edges = edge_pixels(_rgb(image), scale=scale)
    assert edges.shape == image.shape
    assert edges[200:1900, 1048:1052].mean() > 0.9
    rows = np.arange(200, 1900)
    centre = np.rint(300 + 10 * (rows - 100) / 1900).astype(int)
    assert edges[rows, centre].mean() < 0.05  # the scratch's own centre line is no edge


def test_a_second_look_fills_only_the_face_marks_the_rules_left_that_it_calls_damage() -> None:
    image = torch.full((1, 3, 200, 200), 0.6)
    candidates = torch.zeros(1, 1, 200, 200)
    candidates[..., 50:53, 100:103] = 1  # a spot on the forehead (face box, not core)
    candidates[..., 120:123, 80:83] = 1  # a spot in the core
    candidates[..., 10:13, 10:13] = 1  # a spot outside the face
    image[candidates.expand(1, 3, -1, -1) > 0] = 0.2
    probability = candidates * 0.7  # weak for a face: the rules leave both face spots
    landmarks = ((80.0, 100.0), (120.0, 100.0), (100.0, 120.0), (85.0, 140.0), (115.0, 140.0))
    face = FaceRegion(box=(30, 180, 50, 150), core=(90, 150, 70, 130), landmarks=landmarks)
    seen: list[np.ndarray] = []

    def look(features: np.ndarray) -> np.ndarray:
        seen.append(features)
        return np.where(features[:, MARK_FEATURES.index("in_core")] > 0, 0.95, 0.5)

    kwargs = dict(faces=[face], image=image, rules=ComponentRules(mirror_evidence=1.0))
    _, before = classify_components(candidates, probability, **kwargs)
    assert [p.fill for p in before] == [True, False, False]  # outside, forehead, core
    _, after = classify_components(candidates, probability, **kwargs, second_look=look)
    assert seen[0].shape == (2, len(MARK_FEATURES))  # the two face spots, not the outside one
    assert [p.fill for p in after] == [True, False, True]
    assert "second look (p 0.95)" in after[2].reason and after[1].reason == before[1].reason
    with pytest.raises(ValueError, match="second_look gave"):
        classify_components(candidates, probability, **kwargs, second_look=lambda f: f[:1, 0])
    # without landmarks there is no geometry to judge by: nothing is asked
    bare = FaceRegion(box=face.box, core=face.core)
    seen.clear()
    _, plain = classify_components(
        candidates, probability, faces=[bare], image=image, second_look=look
    )
    assert seen == [] and [p.fill for p in plain] == [True, False, False]


def test_a_wide_scratch_reaching_the_frame_across_a_face_is_judged_as_a_line() -> None:
    m = _canvas(200, 240)
    m[60:200, 100:110] = 1  # 10 px wide, 140 px long, from the bottom edge up across the face
    m[192:200, 150:230] = 1  # a band along the bottom edge, inside the head box
    m[70:100, 170:200] = 1  # a 30 px blob on the face
    face = FaceRegion(box=(40, 200, 80, 235), core=(80, 160, 95, 215))
    probability = _tensor(np.where(m > 0, 0.9, 0.0))
    _, parts = classify_components(_tensor(m), probability, faces=[face])
    scratch = [p for p in parts if p.box[2] == 100]
    assert scratch and all(p.fill and "wide scratch" in p.reason for p in scratch)
    assert {p.kind for p in scratch} == {"border"}
    blob = [p for p in parts if p.box[0] < 190 and p.box[2] >= 170]
    assert blob and not any(p.fill for p in blob)
    band = [p for p in parts if p.box[0] >= 190]
    assert band and not any(p.fill for p in band) and "wide scratch" not in band[0].reason
    # outside faces nothing changes: the same scratch is a border piece judged as before
    _, alone = classify_components(_tensor(m), probability)
    assert all("wide scratch" not in p.reason for p in alone)

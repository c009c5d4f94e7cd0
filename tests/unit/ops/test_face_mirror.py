"""Mirror evidence on a face (restora.ops.face_mirror) and its use by the damage decisions."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.ops.damage_components import FaceRegion, classify_components
from restora.ops.face_mirror import (
    cheek_span,
    frontal,
    lighter_than_around,
    mirror_asymmetry,
    on_cheeks,
    yaw,
)

# A frontal face drawn on a 200 x 200 canvas: eyes at x 80 / 120, y 80; nose (100, 105);
# mouth corners (85, 130) / (115, 130). Axis: x = 100.
LANDMARKS = ((80.0, 80.0), (120.0, 80.0), (100.0, 105.0), (85.0, 130.0), (115.0, 130.0))


def _face(scale: int = 1) -> np.ndarray:
    """A symmetric 'face' (skin 0.6, dark eyes, nostrils and a mouth line), smooth shading."""
    size = 200 * scale
    yy, xx = np.mgrid[0:size, 0:size] / scale
    luma = 0.6 + 0.05 * np.cos((yy - 100) / 60)  # symmetric shading only
    luma = luma.astype(np.float32)
    for cx in (80, 120):
        cv2.ellipse(luma, (cx * scale, 80 * scale), (6 * scale, 3 * scale), 0, 0, 360, 0.15, -1)
    for cx in (95, 105):
        cv2.circle(luma, (cx * scale, 110 * scale), 2 * scale, 0.3, -1)
    cv2.line(luma, (88 * scale, 130 * scale), (112 * scale, 130 * scale), 0.35, scale)
    return luma


def _disc(shape: tuple[int, int], centre: tuple[int, int], radius: int) -> np.ndarray:
    mark = np.zeros(shape, np.uint8)
    cv2.circle(mark, centre, radius, 1, -1)
    return mark > 0


def test_a_speck_on_one_cheek_has_no_twin_an_eye_has_one() -> None:
    luma = _face()
    cv2.circle(luma, (75, 110), 2, 0.95, -1)  # white dust on the left cheek
    speck = mirror_asymmetry(luma, _disc(luma.shape, (75, 110), 2), LANDMARKS)
    eye = mirror_asymmetry(luma, _disc(luma.shape, (120, 80), 3), LANDMARKS)
    nostril = mirror_asymmetry(luma, _disc(luma.shape, (95, 110), 2), LANDMARKS)
    assert speck >= 0.95
    assert eye < 0.3 and nostril < 0.3


def test_a_mark_on_the_axis_is_its_own_twin() -> None:
    luma = _face()
    cv2.line(luma, (100, 90), (100, 100), 0.95, 1)  # a bright mark down the nose bridge
    mark = np.zeros(luma.shape, bool)
    mark[90:101, 99:102] = True
    assert mirror_asymmetry(luma, mark, LANDMARKS) < 0.3


def test_the_score_does_not_depend_on_the_photo_size() -> None:
    small, large = _face(1), _face(4)
    cv2.circle(small, (75, 110), 2, 0.95, -1)
    cv2.circle(large, (300, 440), 8, 0.95, -1)
    big_landmarks = tuple((4 * x, 4 * y) for x, y in LANDMARKS)
    a = mirror_asymmetry(small, _disc(small.shape, (75, 110), 2), LANDMARKS)
    b = mirror_asymmetry(large, _disc(large.shape, (300, 440), 8), big_landmarks)
    assert b >= 0.95 and abs(a - b) < 0.25


def test_pixel_lists_and_masks_agree_and_faint_or_empty_marks_score_zero() -> None:
    luma = _face()
    cv2.circle(luma, (75, 110), 2, 0.95, -1)
    mark = _disc(luma.shape, (75, 110), 2)
    assert mirror_asymmetry(luma, np.nonzero(mark), LANDMARKS) == pytest.approx(
        mirror_asymmetry(luma, mark, LANDMARKS)
    )
    assert mirror_asymmetry(luma, np.zeros_like(mark), LANDMARKS) == 0.0
    plain = _disc(luma.shape, (70, 150), 3)  # plain skin: nothing to judge
    assert mirror_asymmetry(luma, plain, LANDMARKS) == 0.0


def test_bad_inputs_are_refused() -> None:
    luma = _face()
    with pytest.raises(ValueError, match="must match"):
        mirror_asymmetry(luma, np.zeros((10, 10), bool), LANDMARKS)
    with pytest.raises(ValueError, match="5"):
        mirror_asymmetry(luma, np.zeros(luma.shape, bool), LANDMARKS[:3])
    with pytest.raises(ValueError, match="same place"):
        mirror_asymmetry(luma, np.zeros(luma.shape, bool), ((1, 1),) * 5)


def test_yaw_tells_a_turned_face() -> None:
    assert yaw(LANDMARKS) == pytest.approx(0.0)
    turned = list(LANDMARKS)
    turned[2] = (112.0, 105.0)  # the nose 0.3 eye distances off the axis
    assert abs(yaw(turned)) == pytest.approx(0.3)
    assert frontal(LANDMARKS) and not frontal(turned)


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, np.float32))[None, None]


def test_the_face_rules_fill_a_white_speck_without_twin_but_not_a_pair_or_a_mole() -> None:
    luma = _face()
    cv2.circle(luma, (75, 110), 2, 0.95, -1)  # white dust on the left cheek
    for cx in (85, 115):  # a pair of highlights, one on each cheek
        cv2.circle(luma, (cx, 120), 2, 0.9, -1)
    cv2.circle(luma, (125, 100), 2, 0.2, -1)  # a mole on the right cheek
    image = _tensor(luma).expand(1, 3, -1, -1).contiguous()
    candidates = np.zeros(luma.shape, np.float32)
    for centre in ((75, 110), (115, 120), (125, 100)):
        cv2.circle(candidates, centre, 2, 1, -1)
    probability = _tensor(candidates * 0.7)  # weak for a face (spots need 0.9)
    face = FaceRegion(box=(30, 180, 40, 160), core=(60, 150, 60, 140), landmarks=LANDMARKS)
    _, parts = classify_components(_tensor(candidates), probability, faces=[face], image=image)
    by_column = {(p.box[2] + p.box[3]) // 2: p for p in parts}
    assert by_column[75].fill and "no mirrored twin" in by_column[75].reason
    assert not by_column[115].fill and "mirrored on the face" in by_column[115].reason
    assert not by_column[125].fill and "dark spot" in by_column[125].reason
    # Without the photo, or for a turned face, the strict face rules alone decide.
    _, parts = classify_components(_tensor(candidates), probability, faces=[face])
    assert not any(p.fill for p in parts)
    turned = list(LANDMARKS)
    turned[2] = (112.0, 105.0)
    face = FaceRegion(face.box, face.core, tuple(turned))
    _, parts = classify_components(_tensor(candidates), probability, faces=[face], image=image)
    assert not any(p.fill for p in parts)
    # Degenerate landmarks (a detector's slip) are no reason to fail: no mirror evidence.
    face = FaceRegion(face.box, face.core, ((100.0, 100.0),) * 5)
    _, parts = classify_components(_tensor(candidates), probability, faces=[face], image=image)
    assert not any(p.fill for p in parts)


def test_lighter_than_around_tells_a_white_speck_from_a_mole() -> None:
    luma = _face()
    cv2.circle(luma, (75, 110), 2, 0.95, -1)
    cv2.circle(luma, (125, 100), 2, 0.2, -1)
    assert lighter_than_around(luma, np.nonzero(_disc(luma.shape, (75, 110), 2)))
    assert not lighter_than_around(luma, np.nonzero(_disc(luma.shape, (125, 100), 2)))
    assert not lighter_than_around(luma, (np.array([], int), np.array([], int)))


def test_cheek_span_and_where_mirror_evidence_holds() -> None:
    speck = np.nonzero(_disc((200, 200), (75, 110), 2))
    nearest, farthest, extent = cheek_span(speck, LANDMARKS)  # eye distance 40 px, axis x=100
    assert nearest == pytest.approx(23 / 40) and farthest == pytest.approx(27 / 40)
    assert extent == pytest.approx(4 / 40)
    assert on_cheeks(speck, LANDMARKS)
    nose = np.nonzero(_disc((200, 200), (102, 105), 2))  # touches the axis
    jaw = np.nonzero(_disc((200, 200), (140, 140), 2))  # a jaw line's place: 1 eye distance out
    long_line = (np.arange(60, 130), np.full(70, 75))  # 1.75 eye distances long
    assert not on_cheeks(nose, LANDMARKS) and not on_cheeks(jaw, LANDMARKS)
    assert on_cheeks(jaw, LANDMARKS, outer=1.1)
    assert not on_cheeks(long_line, LANDMARKS)
    assert not on_cheeks((np.array([], int), np.array([], int)), LANDMARKS)
    with pytest.raises(ValueError, match="no pixels"):
        cheek_span((np.array([], int), np.array([], int)), LANDMARKS)

"""Mirrored fill on faces: an eye under a hole comes back from the other eye, in this side's
light; nothing outside the hole or the eye and mouth regions changes."""

from __future__ import annotations

import numpy as np
import pytest

from restora.ops.face_fill import feature_weight, mirror_fill

MARKS = ((60.0, 70.0), (100.0, 70.0), (80.0, 90.0), (66.0, 110.0), (94.0, 110.0))


def _face(right_brighter: float = 0.0) -> np.ndarray:
    """A 160 x 160 'face': skin 0.6, each eye a dark iris (radius 5) on a light sclera
    (8 x 4 ellipse), the right half of the photo ``right_brighter`` lighter."""
    import cv2

    img = np.full((160, 160, 3), 0.6, np.float32)
    for x, y in MARKS[:2]:
        cv2.ellipse(img, (int(x), int(y)), (9, 5), 0, 0, 360, (0.9, 0.9, 0.9), -1)
        cv2.circle(img, (int(x), int(y)), 4, (0.1, 0.1, 0.1), -1)
    img[:, 80:] += right_brighter
    return img


def test_weight_covers_eyes_and_mouth_not_nose_or_cheeks() -> None:
    w = feature_weight(MARKS, 160, 160)
    assert w.shape == (160, 160) and w.dtype == np.float32
    assert w[70, 60] > 0.99 and w[70, 100] > 0.99 and w[110, 80] > 0.99
    assert w[92, 80] < 0.01  # the nose tip
    assert w[100, 40] < 0.01 and w[20, 80] < 0.01  # a cheek, the forehead
    # a face rolled by 90 degrees: the regions turn with it
    rolled = [(160 - y, x) for x, y in MARKS]  # (x, y) -> (160 - y, x)
    r = feature_weight(rolled, 160, 160)
    assert r[60, 90] > 0.99 and r[100, 90] > 0.99 and r[80, 92 - 20] < 0.5


def test_an_eye_under_a_hole_comes_back_from_the_other_eye_in_its_own_light() -> None:
    clean = _face(right_brighter=0.1)
    hole = np.zeros((160, 160), bool)
    hole[58:82, 92:108] = True  # a wide scratch over the right eye
    smeared = clean.copy()
    smeared[hole] = 0.35  # what an inpainter leaves over an iris: a smear
    out, n = mirror_fill(smeared, hole, MARKS, feature_weight(MARKS, 160, 160))
    assert n > 0
    assert np.array_equal(out[~hole], smeared[~hole])  # only hole pixels change
    deep = np.zeros_like(hole)
    deep[63:77, 97:103] = True  # 5 px and more inside the hole: the twin's alone
    before = np.abs(smeared[deep] - clean[deep]).mean()
    after = np.abs(out[deep] - clean[deep]).mean()
    assert after < 0.25 * before, (before, after)
    rim = hole & ~deep  # nearer the known photo the inpainter's fill counts more
    assert np.abs(out[rim] - clean[rim]).mean() < np.abs(smeared[rim] - clean[rim]).mean()
    # the iris is as dark as the twin's plus this side's light, not the left side's
    assert abs(float(out[70, 100].mean()) - (0.1 + 0.1)) < 0.08


def test_the_mirror_may_be_a_few_pixels_off() -> None:
    clean = _face()
    hole = np.zeros((160, 160), bool)
    hole[58:82, 92:108] = True
    smeared = clean.copy()
    smeared[hole] = 0.35
    off = [(x + 2, y) for x, y in MARKS]  # landmarks 2 px to the right: the axis at x = 82
    weight = feature_weight(off, 160, 160)
    found, _ = mirror_fill(smeared, hole, off, weight)
    fixed, _ = mirror_fill(smeared, hole, off, weight, shift=0.0)
    deep = np.zeros_like(hole)
    deep[63:77, 97:103] = True
    error = [np.abs(x[deep] - clean[deep]).mean() for x in (found, fixed)]
    assert error[0] < 0.5 * error[1], error


def test_holes_whose_mirror_is_lost_too_keep_their_fill() -> None:
    clean = _face()
    hole = np.zeros((160, 160), bool)
    hole[62:78, 50:111] = True  # across both eyes, symmetric about the axis (x = 80)
    smeared = clean.copy()
    smeared[hole] = 0.35
    out, n = mirror_fill(smeared, hole, MARKS, feature_weight(MARKS, 160, 160))
    assert n == 0 and np.array_equal(out, smeared)


def test_thin_cracks_keep_the_inpainters_fill() -> None:
    clean = _face()
    hole = np.zeros((160, 160), bool)
    hole[55:85, 99:102] = True  # 3 px wide: every pixel within 2 px of the known photo
    smeared = clean.copy()
    smeared[hole] = 0.35
    out, n = mirror_fill(smeared, hole, MARKS, feature_weight(MARKS, 160, 160))
    assert n == 0 and np.array_equal(out, smeared)


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="expected"):
        mirror_fill(np.zeros((8, 8), np.float32), np.zeros((8, 8), bool), MARKS, np.ones((8, 8)))
    with pytest.raises(ValueError, match="weight"):
        mirror_fill(np.zeros((8, 8, 3), np.float32), np.zeros((8, 8), bool), MARKS, np.ones((4, 4)))


def test_an_eye_hidden_by_a_hand_is_not_painted_onto_the_hand() -> None:
    hand = _face()
    hand[50:95, 88:115] = 0.7  # a finger over the right eye
    hole = np.zeros((160, 160), bool)
    hole[62:78, 94:106] = True  # a wide scratch on the finger
    smeared = hand.copy()
    smeared[hole] = 0.65
    out, n = mirror_fill(smeared, hole, MARKS, feature_weight(MARKS, 160, 160))
    assert n == 0 and np.array_equal(out, smeared)

"""Features of marks over faces (the second look's input)."""

from __future__ import annotations

import numpy as np
import pytest

from restora.ops.face_marks import MARK_FEATURES, mark_features, skin_reference

# a frontal face: eyes at (40, 50) and (80, 50), nose (60, 70), mouth corners (45, 90), (75, 90)
LANDMARKS = ((40.0, 50.0), (80.0, 50.0), (60.0, 70.0), (45.0, 90.0), (75.0, 90.0))


def _features(luma, pieces, index=1, chroma=None, **kw):
    chroma = np.zeros((*luma.shape, 2), np.float32) if chroma is None else chroma
    ys, xs = np.nonzero(pieces == index)
    box = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
    args = dict(
        evidence=0.8,
        length=float(max(box[1] - box[0], box[3] - box[2])),
        thickness=2.0,
        area=int(ys.size),
        is_line=False,
        in_core=True,
        landmarks=LANDMARKS,
        scale=1.0,
        chroma=chroma,
        skin=skin_reference(luma, chroma, LANDMARKS),
    )
    args.update(kw)
    out = mark_features(luma, pieces, index, box, **args)
    return None if out is None else dict(zip(MARK_FEATURES, out.tolist(), strict=True))


def test_a_dark_speck_on_plain_skin_stands_out_below_and_a_light_one_above():
    rng = np.random.default_rng(0)
    luma = (0.6 + 0.01 * rng.standard_normal((128, 128))).astype(np.float32)
    pieces = np.zeros((128, 128), np.int32)
    pieces[28:31, 59:62] = 1  # forehead: on the axis, above the eyes
    pieces[60:63, 99:102] = 2  # right of the right eye, level with the nose
    luma[28:31, 59:62] = 0.2
    luma[60:63, 99:102] = 0.95
    dark, light = _features(luma, pieces, 1), _features(luma, pieces, 2)
    assert dark["lightness"] == pytest.approx(-0.4, abs=0.02)
    assert dark["contrast"] < -15 and light["contrast"] > 15  # ring spread ~0.01
    assert dark["ring_spread"] < 0.03 and dark["ring_gradient"] < 0.2
    # geometry in eye distances (40 px): the speck on the axis, half an eye distance above
    assert dark["across"] == pytest.approx(0.0, abs=0.05)
    assert dark["down"] == pytest.approx(-21.5 / 40, abs=0.05)
    assert light["across"] == pytest.approx(40.5 / 40, abs=0.05)
    assert light["landmark_distance"] == pytest.approx(np.hypot(20.5, 11.5) / 40, abs=0.05)
    assert (
        dark["evidence"] == pytest.approx(0.8) and dark["in_core"] == 1.0 and dark["is_line"] == 0.0
    )


def test_busy_surroundings_raise_the_ring_measures_and_other_marks_stay_out_of_the_ring():
    rng = np.random.default_rng(1)
    plain = (0.5 + 0.01 * rng.standard_normal((96, 96))).astype(np.float32)
    stripes = plain.copy()
    stripes[:, (np.arange(96) // 2) % 2 == 0] += 0.3  # hair-like stripes, 2 px on, 2 off
    pieces = np.zeros((96, 96), np.int32)
    pieces[40:43, 40:43] = 1
    calm, busy = _features(plain, pieces), _features(stripes, pieces)
    assert busy["ring_spread"] > 3 * calm["ring_spread"]
    assert busy["ring_gradient"] > 5 * calm["ring_gradient"]
    # a second candidate right next to the mark: its dark pixels must not count as skin
    near = pieces.copy()
    near[40:43, 45:48] = 2
    shaded = plain.copy()
    shaded[40:43, 45:48] = 0.0
    assert _features(shaded, near)["lightness"] == pytest.approx(calm["lightness"], abs=0.01)


def test_sizes_are_at_a_512_px_short_side_and_a_buried_mark_has_no_features():
    luma = np.full((128, 128), 0.5, np.float32)
    pieces = np.zeros((128, 128), np.int32)
    pieces[30:33, 30:33] = 1
    at2 = _features(luma, pieces, thickness=4.0, area=36, length=12.0, scale=2.0)
    assert at2["thickness"] == 2.0 and at2["area"] == 9.0 and at2["length"] == 12.0
    crowded = np.full((128, 128), 2, np.int32)  # every pixel around is another candidate
    crowded[30:33, 30:33] = 1
    assert _features(luma, crowded) is None


def test_a_mark_on_hair_or_a_coloured_collar_is_far_from_the_skin_one_on_a_cheek_is_not():
    rng = np.random.default_rng(2)
    luma = (0.7 + 0.01 * rng.standard_normal((128, 128))).astype(np.float32)
    chroma = np.zeros((128, 128, 2), np.float32)
    chroma[..., 1] = 0.05  # warm skin
    luma[:30] = 0.2  # dark hair above the forehead
    chroma[110:, :, 1] = -0.1  # a blue collar at the bottom
    pieces = np.zeros((128, 128), np.int32)
    pieces[15:18, 60:63] = 1  # in the hair
    pieces[70:73, 95:98] = 2  # on the right cheek
    pieces[118:121, 60:63] = 3  # on the collar
    hair, cheek, collar = (_features(luma, pieces, i, chroma=chroma) for i in (1, 2, 3))
    assert hair["skin_gap"] < -10 and abs(cheek["skin_gap"]) < 1.5
    assert collar["chroma_gap"] == pytest.approx(0.15, abs=0.01)
    assert cheek["chroma_gap"] < 0.01 and abs(collar["skin_gap"]) < 1.5
    median, spread, tint = skin_reference(luma, chroma, LANDMARKS)
    assert median == pytest.approx(0.7, abs=0.01) and spread < 0.02
    assert tint.tolist() == pytest.approx([0.0, 0.05], abs=1e-6)
    with pytest.raises(ValueError, match="outside the photo"):
        skin_reference(luma, chroma, [(x + 500, y) for x, y in LANDMARKS])


def test_a_speck_on_one_cheek_has_no_mirrored_twin_a_pair_of_nostril_like_specks_has():
    rng = np.random.default_rng(3)
    luma = (0.6 + 0.005 * rng.standard_normal((128, 128))).astype(np.float32)
    pieces = np.zeros((128, 128), np.int32)
    pieces[74:78, 50:54] = 1  # left of the axis (x = 60)...
    pieces[74:78, 66:70] = 2  # ...and its mirror image
    pieces[95:99, 30:34] = 3  # alone, low on the left cheek
    for index in (1, 2, 3):
        luma[pieces == index] = 0.25
    pair, alone = _features(luma, pieces, 1), _features(luma, pieces, 3)
    assert pair["asymmetry"] < 0.3 and alone["asymmetry"] > 0.8


def test_a_sharp_grey_even_speck_differs_from_a_soft_coloured_textured_mark():
    import cv2

    rng = np.random.default_rng(4)
    luma = (0.6 + 0.005 * rng.standard_normal((128, 128))).astype(np.float32)
    chroma = np.zeros((128, 128, 2), np.float32)
    chroma[..., 1] = 0.06  # warm skin
    pieces = np.zeros((128, 128), np.int32)
    pieces[30:35, 30:35] = 1  # sharp grey speck
    pieces[30:35, 90:95] = 2  # the same speck, blurred into the skin
    pieces[100:106, 56:64] = 3  # a brown, mottled mark
    sharp = luma.copy()
    sharp[30:35, 30:35] = 0.9
    chroma[30:35, 30:35] = 0.0
    soft = np.zeros_like(luma)
    soft[30:35, 90:95] = 0.3
    sharp += cv2.GaussianBlur(soft, (0, 0), 2.5) * (0.3 / cv2.GaussianBlur(soft, (0, 0), 2.5).max())
    sharp[100:106, 56:64] = 0.35 + 0.2 * (np.indices((6, 8)).sum(0) % 2)
    chroma[100:106, 56:64, 1] = 0.12
    speck, blurred, mottled = (_features(sharp, pieces, i, chroma=chroma) for i in (1, 2, 3))
    assert speck["edge_gradient"] > 1.5 * blurred["edge_gradient"]
    assert speck["grayness"] == pytest.approx(0.06, abs=0.01) and mottled["grayness"] < -0.03
    assert speck["flatness"] < 0.05 and mottled["flatness"] > 0.3

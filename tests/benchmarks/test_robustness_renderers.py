"""The robustness benchmark's independent renderers: tones, damage, conditions, cases, scores.

Small synthetic photos only (no ../shared needed, except the split-size check that skips).
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from benchmarks.robustness import photos
from benchmarks.robustness.conditions import CONDITIONS, halftone
from benchmarks.robustness.damage import (
    DAMAGE_KINDS,
    KIND_NAMES,
    VISIBLE,
    draw_damage,
    visible_change,
)
from benchmarks.robustness.evaluate import CellScore, case_seed, render_case
from benchmarks.robustness.tones import TONES, luma
from PIL import Image


def synthetic_photo(h: int = 96, w: int = 128, seed: int = 0) -> np.ndarray:
    """A colour photo-like image: smooth gradients, a dark and a bright object, texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([x / w, y / h, 0.5 + 0.4 * np.sin(6 * x * y / (h * w))], axis=-1)
    img[h // 4 : h // 2, w // 5 : w // 2] = (0.02, 0.02, 0.03)  # true black
    img[h // 2 :, 3 * w // 5 :] = (1.0, 1.0, 1.0)  # true white
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)
    return np.clip(img, 0, 1).astype(np.float32)


def lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image.astype(np.float32), cv2.COLOR_RGB2Lab)


@pytest.mark.parametrize("tone", list(TONES))
def test_tone_shape_range_and_determinism(tone: str) -> None:
    photo = synthetic_photo()
    a = TONES[tone](photo, np.random.default_rng(5))
    b = TONES[tone](photo, np.random.default_rng(5))
    c = TONES[tone](photo, np.random.default_rng(6))
    assert a.shape == photo.shape and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0.005  # parameters really are random per seed
    with pytest.raises(ValueError):
        TONES[tone](photo[..., 0], np.random.default_rng(0))


def test_gray_is_neutral_with_deep_blacks() -> None:
    out = TONES["gray"](synthetic_photo(), np.random.default_rng(1))
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    np.testing.assert_array_equal(out[..., 1], out[..., 2])
    assert np.percentile(out, 1) < 0.12 and out.max() < 0.99


@pytest.mark.parametrize("seed", range(4))
def test_faded_sepia_has_lifted_blacks_warm_paper_and_low_contrast(seed: int) -> None:
    photo = synthetic_photo(seed=seed)
    out = TONES["sepia_faded"](photo, np.random.default_rng(seed))
    y = luma(out)
    assert y.min() > 0.06  # a true black input prints as a lifted, faded black
    assert y.max() < 0.97  # paper is not pure white
    assert np.percentile(y, 99) - np.percentile(y, 1) < 0.85
    assert (out[..., 0] >= out[..., 2]).mean() > 0.98  # brown: red over blue everywhere
    assert lab(out)[..., 2].mean() > 8  # yellow-brown in Lab b*


def test_warm_black_is_warm_with_deep_blacks() -> None:
    out = TONES["warm_black"](synthetic_photo(), np.random.default_rng(2))
    assert luma(out).min() < 0.15
    assert (out[..., 0] >= out[..., 2] - 1e-3).mean() > 0.98
    assert 1 < lab(out)[..., 2].mean() < 14


def test_selenium_purple_brown_shadows_neutral_highlights() -> None:
    out = TONES["selenium"](synthetic_photo(), np.random.default_rng(3))
    y, colour = luma(out), lab(out)
    shadows, highlights = y <= np.percentile(y, 10), y >= np.percentile(y, 95)
    assert colour[..., 1][shadows].mean() > 3  # magenta-red a*
    assert np.abs(colour[..., 1][highlights]).mean() < 2.5
    assert np.abs(colour[..., 2][highlights]).mean() < 3.5


def test_cyanotype_blue_dominates() -> None:
    out = TONES["cyanotype"](synthetic_photo(), np.random.default_rng(4))
    assert (out[..., 2] >= out[..., 0]).mean() > 0.99
    assert (out[..., 2] >= out[..., 1]).mean() > 0.99
    assert lab(out)[..., 2].mean() < -15


@pytest.mark.parametrize("seed", range(4))
def test_faded_colour_casts_desaturates_and_lifts_blacks(seed: int) -> None:
    photo = synthetic_photo(seed=seed)
    out = TONES["faded_colour"](photo, np.random.default_rng(seed))
    assert luma(out).min() > 0.04
    chroma_in = np.hypot(*np.moveaxis(lab(photo)[..., 1:], -1, 0)).mean()
    chroma_out = np.hypot(*np.moveaxis(lab(out)[..., 1:], -1, 0)).mean()
    assert chroma_out < chroma_in
    gray = TONES["faded_colour"](np.full((16, 16, 3), 0.5, np.float32), np.random.default_rng(seed))
    cast = lab(gray)[..., 1:].mean(axis=(0, 1))
    assert np.hypot(*cast) > 4  # a neutral gray comes out with a colour cast
    assert cast[1] > 0  # red-magenta or yellow cast: warm, never blue


def test_hand_tinted_colours_some_regions_only() -> None:
    photo = synthetic_photo(h=120, w=160)
    out = TONES["hand_tinted"](photo, np.random.default_rng(7))
    chroma = np.hypot(*np.moveaxis(lab(out)[..., 1:], -1, 0))
    assert chroma.max() > 8  # washes of colour ...
    hue = np.arctan2(lab(out)[..., 2], lab(out)[..., 1])
    assert np.std(hue[chroma > 6]) > 0.1 or chroma.std() > 2  # ... that differ by region


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_conditions_keep_shape_range_and_are_seeded(name: str) -> None:
    # 400 px: conditions are sized for the photo (blur sigma 0.6-2 px at 1000 px)
    image = TONES["sepia_faded"](synthetic_photo(300, 400), np.random.default_rng(0))
    a = CONDITIONS[name](image, np.random.default_rng(9))
    b = CONDITIONS[name](image, np.random.default_rng(9))
    assert a.shape == image.shape and a.dtype == np.float32
    assert a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    change = np.abs(a - image).mean()
    if name == "clean":
        np.testing.assert_array_equal(a, image)
    else:
        assert change > 1e-3, name
        # the photo is still there: locally averaged, the scan stays close to the print
        soft = [cv2.GaussianBlur(x, (0, 0), 4) for x in (a, image)]
        assert np.abs(soft[0] - soft[1]).mean() < 0.1, name


def test_halftone_screens_a_flat_tone_into_dots() -> None:
    flat = np.full((200, 200, 3), 0.5, np.float32)
    out = halftone(flat, np.random.default_rng(1))
    # A flat mid-gray becomes a dot pattern (strong local contrast) that keeps the mean tone.
    assert out[..., 1].std() > 0.05
    assert abs(float(out.mean()) - 0.5) < 0.12


def test_damage_mask_is_exactly_the_visible_change() -> None:
    print_ = TONES["warm_black"](synthetic_photo(160, 200), np.random.default_rng(0))
    for seed in range(6):
        out = draw_damage(print_, np.random.default_rng(seed))
        assert out.image.shape == print_.shape and out.image.dtype == np.float32
        assert out.image.min() >= 0 and out.image.max() <= 1
        diff = np.abs(out.image - print_).max(axis=-1)
        np.testing.assert_array_equal(out.mask, diff > VISIBLE)
        np.testing.assert_array_equal(out.mask, visible_change(print_, out.image))
        assert diff[~out.mask].max(initial=0) <= VISIBLE
        assert out.mask.any()
        assert ((out.labels > 0) == out.mask).all()
        assert out.labels.max() <= len(KIND_NAMES)


def test_damage_is_deterministic_per_seed() -> None:
    print_ = TONES["gray"](synthetic_photo(), np.random.default_rng(0))
    a = draw_damage(print_, np.random.default_rng(3))
    b = draw_damage(print_, np.random.default_rng(3))
    c = draw_damage(print_, np.random.default_rng(4))
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert (a.mask != c.mask).any()


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_each_kind_draws_visible_labelled_damage(kind: str) -> None:
    print_ = TONES["sepia_faded"](synthetic_photo(160, 200), np.random.default_rng(1))
    out = draw_damage(print_, np.random.default_rng(2), kinds=[kind], coverage=0.02)
    assert out.mask.mean() > 0.002, kind
    assert set(np.unique(out.labels)) <= {0, KIND_NAMES.index(kind) + 1}


def test_damage_density_is_realistic() -> None:
    print_ = TONES["selenium"](synthetic_photo(200, 300), np.random.default_rng(0))
    cover = [draw_damage(print_, np.random.default_rng(s)).mask.mean() for s in range(12)]
    assert 0.01 <= float(np.median(cover)) <= 0.12
    assert max(cover) < 0.35


def test_damage_sizes_scale_with_the_photo() -> None:
    small = synthetic_photo(500, 700)  # long sides 700 and 1400: marks wider than a pixel
    large = cv2.resize(small, (1400, 1000), interpolation=cv2.INTER_CUBIC)
    for kind in ("cracks", "brush", "mould"):
        # one item each (a tiny coverage target stops after the first): same seed, same item
        a = draw_damage(small, np.random.default_rng(11), kinds=[kind], coverage=1e-6)
        b = draw_damage(large, np.random.default_rng(11), kinds=[kind], coverage=1e-6)
        ratio = b.mask.mean() / max(a.mask.mean(), 1e-9)
        assert 0.5 < ratio < 2.0, (kind, ratio)


def test_damage_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown damage kinds"):
        draw_damage(synthetic_photo(), np.random.default_rng(0), kinds=["coffee"])
    assert set(DAMAGE_KINDS) == set(KIND_NAMES)


@pytest.mark.parametrize("condition", ["clean", "grain", "scanner_noise", "vignetting", "blur"])
def test_case_clean_and_damaged_agree_outside_the_damage(condition: str) -> None:
    photo = synthetic_photo(120, 160)
    seed = case_seed("test", 3, "cyanotype", condition)
    case = render_case(photo, "cyanotype", condition, seed, size_range=(150, 200))
    again = render_case(photo, "cyanotype", condition, seed, size_range=(150, 200))
    np.testing.assert_array_equal(case.damaged, again.damaged)
    assert 150 <= max(case.clean.shape[:2]) <= 200
    # Before the condition: equal up to the visibility rule outside the mask ...
    diff = np.abs(case.print_damaged - case.print_clean).max(axis=-1)
    assert diff[~case.mask].max(initial=0) <= VISIBLE
    np.testing.assert_array_equal(case.mask, diff > VISIBLE)
    # ... and where the prints are identical, the scans are too (same noise, same gains),
    # for conditions acting pixel by pixel.
    same = (case.print_damaged == case.print_clean).all(axis=-1)
    assert same.mean() > 0.5
    if condition != "blur":
        np.testing.assert_array_equal(case.clean[same], case.damaged[same])
    if condition == "clean":
        np.testing.assert_array_equal(case.damaged, case.print_damaged)


def test_cell_score_pools_intersections_and_unions() -> None:
    target = np.zeros((10, 10), bool)
    target[:, :5] = True  # 50 px
    labels = np.where(target, KIND_NAMES.index("cracks") + 1, 0).astype(np.uint8)
    score = CellScore()
    score.add_damaged(target.copy(), target, labels)  # perfect: 50 / 50
    half = np.zeros_like(target)
    half[:, :5][:5] = True  # 25 px found
    score.add_damaged(half, target, labels)
    score.add_clean(np.zeros((10, 10), bool))
    flagged = np.zeros((10, 10), bool)
    flagged[0, :4] = True
    score.add_clean(flagged)
    s = score.summary()
    assert s["iou_pooled"] == pytest.approx(75 / 100)
    assert s["iou_mean"] == pytest.approx((1 + 0.5) / 2)
    assert s["recall_cracks"] == pytest.approx(0.75)
    assert s["recall_tears"] is None
    assert s["fp_median_pct"] == pytest.approx(2.0)
    assert s["precision_pooled"] == pytest.approx(1.0)
    # tolerant recall: the 25 missed pixels of rows 5-9 count where within 2 px of a hit (rows
    # 5-6: 10 px): (50 + 25 + 10) / 100
    assert s["recall_2px"] == pytest.approx(0.85)
    assert s["precision_2px"] == pytest.approx(1.0)


def test_tolerant_scores_forgive_a_one_pixel_shift() -> None:
    target = np.zeros((20, 20), bool)
    target[:, 8] = True  # a one-pixel line
    shifted = np.roll(target, 1, axis=1)
    labels = target.astype(np.uint8)
    score = CellScore()
    score.add_damaged(shifted, target, labels)
    s = score.summary()
    assert s["iou_pooled"] == 0.0 and s["recall_2px"] == 1.0 and s["precision_2px"] == 1.0
    far = CellScore()
    far.add_damaged(np.roll(target, 4, axis=1), target, labels)
    assert far.summary()["recall_2px"] == 0.0


def test_resize_and_long_side_draws() -> None:
    photo = synthetic_photo(60, 90)
    assert photos.resize_long_side(photo, 300).shape == (200, 300, 3)
    assert photos.resize_long_side(photo, 45).shape == (30, 45, 3)
    sides = [photos.draw_long_side(np.random.default_rng(s)) for s in range(200)]
    assert min(sides) >= 300 and max(sides) <= 1200
    assert 450 < float(np.median(sides)) < 750  # log-uniform: median near sqrt(300 * 1200)


def _fake_shared(tmp_path):
    """A stand-in for ../shared with tiny images in the benchmark's folders."""
    tiny = Image.fromarray(np.full((12, 18, 3), 128, np.uint8))
    bsds = tmp_path / "train" / "bsds500_test"
    bsds.mkdir(parents=True)
    for i in range(210):
        tiny.save(bsds / f"{1000 + i}.jpg")
    cbsd = tmp_path / "data" / "ffdnet_testsets" / "CBSD68"
    cbsd.mkdir(parents=True)
    for i in range(3):
        tiny.save(cbsd / f"{i}.png")
    set14 = tmp_path / "data" / "sr_testsets" / "Set14"
    set14.mkdir(parents=True)
    for name in (*photos.SET14_COLOUR, "bridge", "man", "ppt3"):
        tiny.save(set14 / f"{name}.png")
    faces = tmp_path / "train" / "caltech_faces"
    faces.mkdir(parents=True)
    face = Image.fromarray(np.full((296, 448, 3), 150, np.uint8))
    for n in (1, 299, *[int(k[6:10]) for k in list(photos.face_boxes())[:3]]):
        face.save(faces / f"image_{n:04d}.jpg")
    return tmp_path


def test_splits_are_fixed_and_exclude_trained_photos(tmp_path) -> None:
    root = _fake_shared(tmp_path)
    selection = photos.split_photos("selection", root)
    assert [p.name for p in selection] == [f"{1100 + i}.jpg" for i in range(100)]
    report = photos.split_photos("report", root)
    names = [p.name for p in report]
    assert "bridge.png" not in names and "ppt3.png" not in names
    assert sum(photos.photo_source(p) == "set14" for p in report) == 11
    faces = [p for p in report if photos.photo_source(p) == "caltech_faces"]
    assert len(faces) == 3 and all(photos.face_number(p) >= 300 for p in faces)
    assert not any(photos.may_commit_pictures(p) for p in faces)
    assert all(photos.may_commit_pictures(p) for p in selection)
    with pytest.raises(ValueError):
        photos.split_photos("train", root)


def test_toned_faces_cover_every_tone_with_boxes(tmp_path) -> None:
    root = _fake_shared(tmp_path)
    faces = photos.toned_faces(len(TONES), seed=1, root=root)
    assert [f.tone for f in faces] == list(TONES)
    for face in faces:
        x0, y0, x1, y1 = face.box
        assert face.image.shape == (296, 448, 3)
        assert 0 <= x0 < x1 <= 448 and 0 <= y0 < y1 <= 296
    scaled = photos.toned_faces(2, seed=1, long_side=224, root=root)
    assert scaled[0].image.shape == (148, 224, 3)
    assert scaled[0].box == tuple(round(v / 2) for v in faces[0].box)


def test_face_boxes_file_is_coordinates_only() -> None:
    record = json.loads(photos.FACE_BOXES.read_text(encoding="utf-8"))
    boxes = record["boxes"]
    assert len(boxes) >= 40
    for name, (x0, y0, x1, y1) in boxes.items():
        assert name.startswith("image_") and int(name[6:10]) >= photos.FIRST_UNSEEN_FACE
        # faces fill roughly 1/4-1/3 of the frame's width and sit inside it
        assert 0 <= x0 < x1 <= 448 and 0 <= y0 < y1 <= 296
        assert 90 <= x1 - x0 <= 200


def test_real_splits_have_their_sizes(shared) -> None:
    assert len(photos.split_photos("selection", shared)) == 100
    report = photos.split_photos("report", shared)
    assert len(report) == 68 + 11 + 46
    assert len(photos.toned_faces(7, seed=0, root=shared)) == 7

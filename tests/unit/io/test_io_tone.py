"""detect_tone on real files from ../shared and on sepia / gray versions of real gray photos."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pytest
import torch
from PIL import Image

from restora.io import detect_tone, read_image

SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])


def _jpeg(array: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _sepia(gray: np.ndarray) -> np.ndarray:
    """Classic sepia matrix on a gray picture (H, W) uint8 -> (H, W, 3) uint8."""
    rgb = np.repeat(gray[..., None].astype(np.float64), 3, axis=2)
    return np.clip(rgb @ SEPIA.T, 0, 255).round().astype(np.uint8)


def test_synthetic_cases():
    ramp = torch.linspace(0, 1, 64).view(1, 1, 1, 64).expand(1, 3, 16, 64).contiguous()
    assert detect_tone(ramp) == "monochrome"
    assert detect_tone(ramp[0]) == "monochrome"  # (3, H, W) accepted
    warm = ramp * torch.tensor([1.0, 0.8, 0.55]).view(1, 3, 1, 1)
    assert detect_tone(warm) == "sepia"
    cold = ramp * torch.tensor([0.6, 0.8, 1.0]).view(1, 3, 1, 1)
    assert detect_tone(cold) == "cyanotype"  # a blue-toned print
    split = torch.cat([warm[..., :32], cold[..., 32:]], dim=-1)
    assert detect_tone(split) != "color"  # warm shadows, cold highlights: a split-toned print
    two_hues = torch.cat([warm[..., :8, :], cold[..., 8:, :]], dim=-2)
    assert detect_tone(two_hues) == "color"  # two tints at the same lightness: colours
    with pytest.raises(ValueError):
        detect_tone(torch.rand(1, 1, 8, 8))


def test_a_faded_colour_photo_with_a_warm_cast_stays_colour():
    """The demo's old complaint: a colour photo partly sepia-toned and faded is a colour photo."""
    pytest.importorskip("skimage")
    from restora.data.aging import age_photo
    from restora.data.examples import example_image

    for name in ("astronaut", "coffee", "chelsea"):
        photo = example_image(name)
        rng = np.random.default_rng(7)
        aged = age_photo(photo, rng=rng, sepia_strength=0.64, fade=0.4, grain=0.0, blur=0.0)
        assert detect_tone(aged) == "color", name
        toned = age_photo(photo, rng=rng, sepia_strength=1.0, fade=0.4, grain=0.0, blur=0.0)
        assert detect_tone(toned) == "sepia", name


def test_gray_in_three_channels_and_gray_file(shared):
    man = read_image(shared / "data" / "sr_testsets" / "Set14" / "man.png")
    assert man.meta.mode == "RGB" and man.meta.tone == "monochrome"
    bridge = read_image(shared / "data" / "sr_testsets" / "Set14" / "bridge.png")
    assert bridge.meta.mode == "L" and bridge.meta.tone == "monochrome"


def test_cbsd68_is_colour(shared):
    files = sorted((shared / "data" / "ffdnet_testsets" / "CBSD68").glob("*.png"))
    assert len(files) == 68
    tones = Counter(read_image(f).meta.tone for f in files)
    assert tones["monochrome"] == 0
    # measured: 66 colour, 2 sepia (a sand-coloured snake on sand, a beige stone wall)
    assert tones["color"] >= 64, tones


def test_old_photos(shared):
    """The "old" scans are faded / hand-coloured / autochrome colour photos, not monochrome."""
    folder = shared / "data" / "old_photos" / "old"
    tones = {f.name: read_image(f).meta.tone for f in sorted(folder.glob("*.png"))}
    assert len(tones) == 8 and "monochrome" not in tones.values()
    for name in ("a.png", "d.png", "e.png", "f.png", "g.png", "h.png"):  # clearly multi-hued
        assert tones[name] == "color", tones


def test_sepia_and_gray_jpegs_of_real_gray_photos(shared):
    """Gray JPEGs stay monochrome. The classic sepia matrix's JPEGs mostly read as sepia: its
    clipped red channel and JPEG's coarse chroma leave colour that no lightness explains on some
    photos, which a threshold that keeps 95 % of faded colour prints colour cannot tell from
    faint colour (measured: 10 of 12 sepia at quality 95, 7 of 12 at quality 75; see the
    module docstring of restora.io.tone)."""
    files = sorted((shared / "data" / "dncnn_testsets" / "Set12").glob("*.png"))
    assert len(files) == 12
    sepia = {75: 0, 95: 0}
    for path in files:
        gray = np.asarray(Image.open(path).convert("L"))
        rgb_gray = np.repeat(gray[..., None], 3, axis=2)
        assert read_image(_jpeg(rgb_gray, 60)).meta.tone == "monochrome", path.name
        for quality in sepia:
            tone = read_image(_jpeg(_sepia(gray), quality)).meta.tone
            assert tone in ("sepia", "color"), path.name
            sepia[quality] += tone == "sepia"
    assert sepia[95] >= 10 and sepia[75] >= 7, sepia


def test_colour_survives_jpeg(shared):
    for path in sorted((shared / "data" / "sr_testsets" / "Set5").glob("*.png")):
        rgb = np.asarray(Image.open(path).convert("RGB"))
        assert read_image(_jpeg(rgb, 50)).meta.tone == "color", path.name

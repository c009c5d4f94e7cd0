"""Reading and writing keep what matters: exact 16-bit values, alpha, gray, orientation, ICC."""

from __future__ import annotations

import io
import json
import warnings

import cv2
import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from tests.unit.io.samples import blocks_image, encoded, noise_rgb, srgb_icc, to_hwc

from restora.core.errors import ImageReadError, ImageWriteError
from restora.io import ImageMeta, probe_image, read_image, write_image
from restora.io.orientation import apply_orientation


def _u16(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    array = np.random.default_rng(seed).integers(0, 65536, shape, dtype=np.uint16)
    array.flat[0], array.flat[1] = 0, 65535  # both extremes
    return array


def _read_cv(path) -> np.ndarray:
    """Independent check of a written file: OpenCV, BGR(A) -> RGB(A)."""
    array = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    if array.ndim == 3:
        array = np.concatenate([array[..., 2::-1], array[..., 3:]], axis=2)
    return array


def test_16bit_png_gray_exact(tmp_path):
    values = _u16((37, 53))
    src = tmp_path / "gray16.png"
    src.write_bytes(encoded(values, "PNG"))  # Pillow writes I;16 PNG
    loaded = read_image(src)
    assert loaded.meta.bit_depth == 16 and loaded.meta.mode.startswith("I;16")
    assert np.array_equal(to_hwc(loaded.image, 65535)[..., 0], values)
    assert torch.equal(loaded.image[:, 0], loaded.image[:, 2])
    out = write_image(tmp_path / "out16.png", loaded.image, meta=loaded.meta)
    assert np.array_equal(_read_cv(out), values)  # still one 16-bit gray channel
    assert np.array_equal(np.asarray(Image.open(out)), values)


def test_16bit_png_rgb_exact(tmp_path):
    values = _u16((29, 41, 3), seed=1)
    src = tmp_path / "rgb16.png"
    src.write_bytes(cv2.imencode(".png", values[..., ::-1])[1].tobytes())
    loaded = read_image(src)
    assert (loaded.meta.bit_depth, loaded.meta.mode) == (16, "RGB")
    assert np.array_equal(to_hwc(loaded.image, 65535), values)
    out = write_image(tmp_path / "out.png", loaded.image, meta=loaded.meta)
    assert np.array_equal(_read_cv(out), values)
    eight = write_image(tmp_path / "out8.png", loaded.image, meta=loaded.meta, bit_depth=8)
    assert np.asarray(Image.open(eight)).dtype == np.uint8


def test_16bit_png_rgba_alpha_exact(tmp_path):
    values = _u16((17, 19, 4), seed=2)
    src = tmp_path / "rgba16.png"
    src.write_bytes(cv2.imencode(".png", values[..., [2, 1, 0, 3]])[1].tobytes())
    loaded = read_image(src)
    assert loaded.meta.has_alpha and loaded.meta.bit_depth == 16
    assert np.array_equal(to_hwc(loaded.alpha, 65535)[..., 0], values[..., 3])
    out = write_image(tmp_path / "out.png", loaded.image, alpha=loaded.alpha, meta=loaded.meta)
    assert np.array_equal(_read_cv(out), values)


@pytest.mark.parametrize("channels", [1, 3])
def test_16bit_tiff_exact(tmp_path, channels):
    values = _u16((23, 31, channels) if channels == 3 else (23, 31), seed=3)
    src = tmp_path / "scan.tif"
    bgr = values[..., ::-1] if channels == 3 else values
    src.write_bytes(cv2.imencode(".tiff", np.ascontiguousarray(bgr))[1].tobytes())
    loaded = read_image(src)
    assert loaded.meta.bit_depth == 16 and loaded.meta.format == "TIFF"
    hwc = to_hwc(loaded.image, 65535)
    assert np.array_equal(hwc if channels == 3 else hwc[..., 0], values)
    out = write_image(tmp_path / "out.tiff", loaded.image, meta=loaded.meta)
    assert np.array_equal(_read_cv(out), values)


def test_float_tiff_round_trip(tmp_path):
    values = np.random.default_rng(4).random((9, 11), dtype=np.float32)
    src = tmp_path / "float.tif"
    Image.fromarray(values, "F").save(src)
    loaded = read_image(src)
    assert (loaded.meta.bit_depth, loaded.meta.mode) == (32, "F")
    assert torch.equal(loaded.image[0, 0], torch.from_numpy(values))
    out = write_image(tmp_path / "out.tif", loaded.image, meta=loaded.meta)
    assert np.array_equal(_read_cv(out), values)


def test_palette_with_transparency(tmp_path):
    palette = np.random.default_rng(5).integers(0, 256, (16, 3), dtype=np.uint8)
    indices = np.random.default_rng(6).integers(0, 16, (12, 14), dtype=np.uint8)
    image = Image.fromarray(indices, "P")
    image.putpalette(palette.flatten().tolist())
    src = tmp_path / "pal.png"
    image.save(src, transparency=3)
    loaded = read_image(src)
    assert loaded.meta.mode == "P" and loaded.meta.has_alpha
    assert any("palette" in note for note in loaded.meta.notes)
    assert np.array_equal(to_hwc(loaded.image), palette[indices])
    assert np.array_equal(to_hwc(loaded.alpha)[..., 0], np.where(indices == 3, 0, 255))


def test_palette_without_transparency_has_no_alpha(tmp_path):
    image = Image.fromarray(noise_rgb(8, 8)).convert("P")
    src = tmp_path / "pal.gif"
    image.save(src)
    loaded = read_image(src)
    assert loaded.alpha is None and loaded.meta.format == "GIF"
    assert np.array_equal(to_hwc(loaded.image), np.asarray(image.convert("RGB")))


@pytest.mark.parametrize("mode", ["LA", "RGBA"])
def test_alpha_exact_and_written_back(tmp_path, mode):
    channels = len(mode)
    values = np.random.default_rng(7).integers(0, 256, (13, 17, channels), dtype=np.uint8)
    src = tmp_path / f"{mode}.png"
    src.write_bytes(encoded(values, "PNG", mode))
    loaded = read_image(src)
    assert loaded.meta.mode == mode and loaded.meta.has_alpha
    assert np.array_equal(to_hwc(loaded.alpha)[..., 0], values[..., -1])
    assert np.array_equal(to_hwc(loaded.image)[..., 0], values[..., 0])
    out = write_image(tmp_path / "out.png", loaded.image, alpha=loaded.alpha, meta=loaded.meta)
    written = Image.open(out)
    assert written.mode == mode and np.array_equal(np.asarray(written), values)


def test_cmyk_jpeg_converted_with_note(tmp_path):
    cmyk = np.random.default_rng(8).integers(0, 256, (4, 5, 4), dtype=np.uint8)
    cmyk = np.kron(cmyk, np.ones((8, 8, 1), dtype=np.uint8))
    src = tmp_path / "print.jpg"
    src.write_bytes(encoded(cmyk, "JPEG", "CMYK", quality=95))
    loaded = read_image(src)
    assert loaded.meta.mode == "CMYK" and "CMYK converted to RGB" in loaded.meta.notes
    reference = np.asarray(Image.open(src).convert("RGB")).astype(np.int64)
    assert np.abs(to_hwc(loaded.image) - reference).max() <= 1
    drawn = (255 - cmyk[..., :3].astype(int)) * (255 - cmyk[..., 3:].astype(int)) / 255
    assert np.abs(to_hwc(loaded.image) - drawn).mean() < 8  # the colours we drew, JPEG noise


@pytest.mark.parametrize("orientation, turns", [(3, 2), (6, -1), (8, 1)])
def test_exif_orientation_applied(tmp_path, orientation, turns):
    stored = blocks_image()
    exif = Image.Exif()
    exif[0x0112] = orientation
    src = tmp_path / f"o{orientation}.jpg"
    src.write_bytes(encoded(stored, "JPEG", quality=95, exif=exif.tobytes()))
    loaded = read_image(src)
    expected = np.rot90(stored, k=turns).astype(np.int64)
    got = to_hwc(loaded.image)
    assert got.shape == expected.shape
    assert (loaded.meta.width, loaded.meta.height) == (expected.shape[1], expected.shape[0])
    assert loaded.meta.orientation == orientation
    assert np.abs(got - expected).mean() < 4  # JPEG noise only
    if turns != 2:  # the unrotated and counter-rotated pictures are far away
        wrong = np.rot90(stored, k=-turns).astype(np.int64)
        assert np.abs(got - wrong).mean() > 30
    out = write_image(tmp_path / "out.jpg", loaded.image, meta=loaded.meta)
    again = read_image(out)
    assert again.meta.orientation == 1 and Image.open(out).getexif().get(0x0112) == 1
    assert np.abs(to_hwc(again.image) - expected).mean() < 4


@pytest.mark.parametrize("orientation", range(1, 9))
def test_numpy_orientation_matches_pillow(tmp_path, orientation):
    stored = blocks_image(32, 48)
    exif = Image.Exif()
    exif[0x0112] = orientation
    with Image.open(io.BytesIO(encoded(stored, "PNG", exif=exif.tobytes()))) as image:
        image.load()
        expected = np.asarray(ImageOps.exif_transpose(image))
    assert np.array_equal(apply_orientation(stored, orientation), expected)
    values = _u16((6, 10, 3), seed=orientation)  # and the OpenCV path for 16-bit PNG
    data16 = cv2.imencode(".png", values[..., ::-1])[1].tobytes()
    data16 = data16[:33] + _exif_chunk(exif) + data16[33:]
    loaded = read_image(data16)
    assert loaded.meta.orientation == orientation
    assert np.array_equal(to_hwc(loaded.image, 65535), apply_orientation(values, orientation))


def _exif_chunk(exif: Image.Exif) -> bytes:
    from tests.unit.io.samples import png_chunk

    return png_chunk(b"eXIf", exif.tobytes()[6:])


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_one_pixel_image(tmp_path, fmt):
    src = tmp_path / f"dot.{fmt.lower()}"
    src.write_bytes(encoded(np.array([[[200, 40, 90]]], np.uint8), fmt, quality=95))
    loaded = read_image(src)
    assert loaded.image.shape == (1, 3, 1, 1) and loaded.meta.tone == "color"
    assert np.abs(to_hwc(loaded.image)[0, 0] - [200, 40, 90]).max() <= (0 if fmt == "PNG" else 8)
    out = write_image(tmp_path / "dot_out.png", loaded.image, meta=loaded.meta)
    assert np.asarray(Image.open(out)).shape == (1, 1, 3)


def test_non_ascii_file_names(tmp_path):
    folder = tmp_path / "папка"
    folder.mkdir()
    src = folder / "фото ü.png"
    values = noise_rgb(10, 12)
    src.write_bytes(encoded(values, "PNG"))
    loaded = read_image(src)
    assert np.array_equal(to_hwc(loaded.image), values) and loaded.meta.source == str(src)
    out = write_image(folder / "фото ü_out.png", loaded.image, meta=loaded.meta)
    assert np.array_equal(np.asarray(Image.open(out)), values)
    values16 = _u16((5, 7, 3))
    src16 = folder / "снимок ß 16.png"
    src16.write_bytes(cv2.imencode(".png", values16[..., ::-1])[1].tobytes())
    loaded16 = read_image(src16)
    out16 = write_image(folder / "снимок ß 16 out.tif", loaded16.image, meta=loaded16.meta)
    assert np.array_equal(_read_cv(out16), values16)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tif"])
def test_icc_profile_preserved(tmp_path, suffix):
    icc = srgb_icc()
    src = tmp_path / "tagged.png"
    src.write_bytes(encoded(noise_rgb(16, 16), "PNG", icc_profile=icc))
    loaded = read_image(src)
    assert loaded.meta.icc_profile == icc
    out = write_image(tmp_path / f"out{suffix}", loaded.image, meta=loaded.meta)
    assert Image.open(out).info.get("icc_profile") == icc
    assert read_image(out).meta.icc_profile == icc


def test_icc_profile_kept_in_16bit_png(tmp_path):
    icc = srgb_icc()
    loaded = read_image(_u16((8, 9, 3)))
    meta = ImageMeta(None, "PNG", "RGB", 16, 9, 8, False, icc_profile=icc)
    out = write_image(tmp_path / "out16.png", loaded.image, meta=meta)
    assert Image.open(out).info.get("icc_profile") == icc
    assert read_image(out).meta.icc_profile == icc and read_image(out).meta.bit_depth == 16


def test_rgb_profile_not_put_in_gray_file(tmp_path):
    gray = np.tile(np.arange(0, 250, 10, dtype=np.uint8), (4, 1))
    meta = ImageMeta(None, "PNG", "L", 8, 25, 4, False, icc_profile=srgb_icc())
    image = read_image(gray).image
    with pytest.warns(UserWarning, match="ICC"):
        out = write_image(tmp_path / "g.png", image, meta=meta)
    assert Image.open(out).mode == "L" and "icc_profile" not in Image.open(out).info


def test_gray_stays_gray_only_while_channels_are_equal(tmp_path):
    gray = np.random.default_rng(9).integers(0, 256, (8, 10), dtype=np.uint8)
    src = tmp_path / "g.png"
    src.write_bytes(encoded(gray, "PNG"))
    loaded = read_image(src)
    assert loaded.meta.mode == "L" and loaded.meta.tone == "monochrome"
    same = write_image(tmp_path / "same.png", loaded.image, meta=loaded.meta)
    assert Image.open(same).mode == "L" and np.array_equal(np.asarray(Image.open(same)), gray)
    tinted = loaded.image.clone()
    tinted[:, 0] = (tinted[:, 0] + 0.1).clamp(0, 1)  # colourized: must not be squashed to gray
    coloured = write_image(tmp_path / "col.png", tinted, meta=loaded.meta)
    assert Image.open(coloured).mode == "RGB"
    plain = write_image(tmp_path / "plain.png", loaded.image)  # no meta: RGB as given
    assert Image.open(plain).mode == "RGB"


def test_jpeg_and_webp_store_8_bits_and_jpeg_drops_alpha(tmp_path):
    loaded = read_image(_u16((8, 8, 4)))
    assert loaded.meta.bit_depth == 16
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = write_image(tmp_path / "a.jpg", loaded.image, alpha=loaded.alpha, meta=loaded.meta)
    said = " | ".join(str(w.message) for w in caught)
    assert "alpha dropped" in said and "16-bit image is written with 8 bits" in said
    assert Image.open(out).mode == "RGB"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        webp = write_image(tmp_path / "a.webp", loaded.image, alpha=loaded.alpha, bit_depth=16)
    assert [str(w.message) for w in caught] == [
        "WEBP stores at most 8 bits per channel: the 16-bit image is written with 8 bits "
        "(use png or tif to keep 16 bits)"
    ]
    assert Image.open(webp).mode == "RGBA"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 8 bits in, 8 bits out: nothing to say
        write_image(tmp_path / "b.jpg", torch.rand(1, 3, 4, 4))


def test_array_and_pil_sources():
    rgb = noise_rgb(6, 9)
    assert np.array_equal(to_hwc(read_image(rgb).image), rgb)
    assert read_image(rgb).meta.source == "<array>"
    floats = rgb.astype(np.float32) / 255
    assert torch.allclose(read_image(floats).image, read_image(rgb).image)
    gray16 = _u16((4, 5))
    loaded = read_image(gray16)
    assert (loaded.meta.mode, loaded.meta.bit_depth) == ("I;16", 16)
    pil = read_image(Image.fromarray(rgb))
    assert pil.meta.source == "<PIL>" and np.array_equal(to_hwc(pil.image), rgb)
    with pytest.raises(ImageReadError, match="HWC"):
        read_image(np.zeros((3, 32, 32), np.uint8))  # channels first
    with pytest.raises(ImageReadError, match=r"\[0, 1\]"):
        read_image(np.full((4, 4, 3), 2.0, np.float32))
    with pytest.raises(ImageReadError, match="dtype"):
        read_image(np.zeros((4, 4, 3), np.int64))


def test_unknown_output_suffix_and_bad_tensors(tmp_path):
    image = torch.rand(1, 3, 4, 4)
    with pytest.raises(ImageWriteError, match="suffix"):
        write_image(tmp_path / "x.bmp", image)
    with pytest.raises(ValueError, match="shape"):
        write_image(tmp_path / "x.png", torch.rand(2, 3, 4, 4))
    with pytest.raises(ValueError):
        write_image(tmp_path / "x.png", image * 2)
    with pytest.raises(ValueError, match="NaN"):
        write_image(tmp_path / "x.png", image * float("nan"))
    assert list(tmp_path.iterdir()) == []


def test_meta_is_json_ready_and_probe_matches(tmp_path):
    icc = srgb_icc()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "restora test camera"
    src = tmp_path / "cam.jpg"
    src.write_bytes(encoded(blocks_image(), "JPEG", icc_profile=icc, exif=exif.tobytes()))
    meta = probe_image(src)
    data = json.loads(json.dumps(meta.to_dict()))
    assert data["icc_profile"] == len(icc) and data["exif"] == len(meta.exif)
    assert (data["width"], data["height"], data["orientation"]) == (48, 80, 6)
    assert "EXIF orientation 6 applied" in data["notes"]
    kept = Image.Exif()
    kept.load(meta.exif)
    assert kept[0x0112] == 1 and kept[0x010F] == "restora test camera"

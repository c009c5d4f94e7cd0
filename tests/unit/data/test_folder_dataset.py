"""ImageFolder and PairedSample: recursive listing, bad files skipped and counted, caching,
minimum size, collation."""

from __future__ import annotations

import logging

import pytest
import torch
from torch.utils.data import DataLoader

from restora.data.datasets import ImageFolder, list_images
from restora.data.sample import PairedSample, collate_samples
from restora.io import write_image


def _image(height: int, width: int, value: float) -> torch.Tensor:
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    return torch.stack([x, y, torch.full_like(x, value)]).unsqueeze(0)


@pytest.fixture
def folder(tmp_path):
    """Good images at two depths, a truncated PNG, a text file named .jpg, a small image, and
    files that are not images."""
    write_image(tmp_path / "a.png", _image(40, 50, 0.1))
    write_image(tmp_path / "sub" / "b.png", _image(48, 32, 0.5))
    write_image(tmp_path / "sub" / "deeper" / "c.jpg", _image(36, 36, 0.9))
    write_image(tmp_path / "small.png", _image(10, 12, 0.3))
    good = (tmp_path / "a.png").read_bytes()
    (tmp_path / "sub" / "truncated.png").write_bytes(good[: len(good) // 2])
    (tmp_path / "fake.jpg").write_text("not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / ".hidden").mkdir()
    write_image(tmp_path / ".hidden" / "x.png", _image(40, 40, 0.0))
    return tmp_path


def test_list_images_is_recursive_sorted_and_filters_suffixes(folder):
    names = [p.relative_to(folder).as_posix() for p in list_images(folder)]
    assert names == [
        "a.png",
        "fake.jpg",
        "small.png",
        "sub/b.png",
        "sub/deeper/c.jpg",
        "sub/truncated.png",
    ]
    flat = [p.name for p in list_images(folder, recursive=False)]
    assert flat == ["a.png", "fake.jpg", "small.png"]


def test_verify_skips_corrupt_and_small_files_with_warnings(folder, caplog):
    with caplog.at_level(logging.WARNING, logger="restora.data.datasets"):
        data = ImageFolder(folder, verify=True, min_size=16)
    assert [p.name for p in data.paths] == ["a.png", "b.png", "c.jpg"]
    reasons = {s.path.name: s.reason for s in data.skipped}
    assert set(reasons) == {"fake.jpg", "small.png", "truncated.png"}
    assert reasons["small.png"].startswith("too small: 12x10")
    assert reasons["fake.jpg"].startswith("unreadable")
    assert len(caplog.records) == 3
    image = data[1]
    assert image.shape == (3, 48, 32) and image.dtype == torch.float32
    torch.testing.assert_close(image, _image(48, 32, 0.5)[0], atol=0.51 / 255, rtol=0)


def test_lazy_mode_replaces_bad_files_by_the_next_good_one(folder):
    data = ImageFolder(folder)  # verify=False: listing only
    assert len(data) == 6 and not data.skipped
    image, path = data.get(1)  # fake.jpg -> small.png (no min_size)
    assert path.name == "small.png" and image.shape == (3, 10, 12)
    image, path = data.get(5)  # truncated.png wraps around to a.png
    assert path.name == "a.png"
    assert sorted(s.path.name for s in data.skipped) == ["fake.jpg", "truncated.png"]
    data.get(1)
    assert len(data.skipped) == 2  # a bad file is recorded once


def test_cache_returns_the_same_tensor(folder):
    data = ImageFolder(folder, verify=True, cache=True)
    first = data[0]
    assert data[0] is first
    plain = ImageFolder(folder, verify=True)
    assert plain[0] is not plain[0] and torch.equal(plain[0], first)


def test_empty_or_missing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        ImageFolder(tmp_path / "missing")
    with pytest.raises(ValueError, match="no usable images"):
        ImageFolder(tmp_path)


def test_collate_stacks_tensors_and_meta_lists():
    a = PairedSample(torch.zeros(3, 4, 4), torch.ones(3, 8, 8), torch.zeros(1, 4, 4), {"i": 0})
    b = PairedSample(
        torch.ones(3, 4, 4), torch.zeros(3, 8, 8), torch.ones(1, 4, 4), {"i": 1, "x": 2}
    )
    batch = collate_samples([a, b])
    assert batch.input.shape == (2, 3, 4, 4) and batch.target.shape == (2, 3, 8, 8)
    assert batch.mask.shape == (2, 1, 4, 4)
    assert torch.equal(batch.input[1], b.input)
    assert batch.meta == {"i": [0, 1], "x": [None, 2]}
    with pytest.raises(ValueError, match="mask"):
        collate_samples([a, PairedSample(b.input, b.target)])
    loader = DataLoader([a, b, a], batch_size=2, collate_fn=collate_samples)
    sizes = [batch.input.shape[0] for batch in loader]
    assert sizes == [2, 1]

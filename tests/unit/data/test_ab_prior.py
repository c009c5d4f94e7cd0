"""The ab prior of a training set: thumbnails, counts per bin (= ab_histogram), files, caching."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from restora.color.ab_bins import ab_histogram, grid_ab_bins, zhang_ab_bins
from restora.color.lab import rgb_to_lab
from restora.data.ab_prior import ab_prior, load_ab_prior
from restora.io import read_thumbnail, write_image


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prior")
    g = torch.Generator().manual_seed(0)
    paths = []
    for i in range(6):
        image = torch.rand(1, 3, 6, 8, generator=g)
        image = torch.nn.functional.interpolate(image, size=(96, 128), mode="bilinear")
        path = folder / f"p{i}.{'jpg' if i % 2 else 'png'}"
        write_image(path, image)
        paths.append(path)
    return paths


def test_thumbnails_keep_the_aspect_ratio_and_never_enlarge(photos):
    for path in photos:
        thumb = read_thumbnail(path, size=32)
        assert thumb.shape == (1, 3, 32, 43) and thumb.dtype == torch.float32
        assert 0 <= thumb.min() and thumb.max() <= 1
    assert read_thumbnail(photos[0], size=500).shape == (1, 3, 96, 128)
    with pytest.raises(ValueError, match="size"):
        read_thumbnail(photos[0], size=0)


@pytest.mark.parametrize("centres", [zhang_ab_bins(), grid_ab_bins()], ids=["313", "529"])
def test_counts_equal_the_histogram_of_the_thumbnails(photos, centres):
    prior = ab_prior(photos, centres, size=24, max_images=0)
    expected = sum(
        ab_histogram(rgb_to_lab(read_thumbnail(p, size=24))[:, 1:], centres) for p in photos
    )
    assert prior.images == 6 and prior.counts.shape == (len(centres),)
    torch.testing.assert_close(prior.counts, expected)
    assert ab_prior(photos, centres, size=24, max_images=0) is prior  # cached per process


def test_max_images_spreads_evenly_and_bad_files_are_skipped(photos, tmp_path):
    two = ab_prior(photos, zhang_ab_bins(), size=16, max_images=2)
    assert two.images == 2
    first_last = ab_prior([photos[0], photos[-1]], zhang_ab_bins(), size=16, max_images=0)
    torch.testing.assert_close(two.counts, first_last.counts)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    prior = ab_prior([broken, photos[0]], zhang_ab_bins(), size=16)
    assert prior.images == 1 and len(prior.skipped) == 1 and "broken.jpg" in prior.skipped[0]
    with pytest.raises(ValueError, match="none of the 1 images"):
        ab_prior([broken], zhang_ab_bins(), size=16)


def test_prior_files_round_trip(photos, tmp_path):
    prior = ab_prior(photos, zhang_ab_bins(), size=16)
    (tmp_path / "prior.json").write_text(json.dumps(prior.to_dict()), encoding="utf-8")
    torch.testing.assert_close(load_ab_prior(tmp_path / "prior.json"), prior.counts)
    np.save(tmp_path / "prior.npy", prior.counts.numpy())
    torch.testing.assert_close(load_ab_prior(tmp_path / "prior.npy"), prior.counts)
    np.save(tmp_path / "bad.npy", -np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        load_ab_prior(tmp_path / "bad.npy")
    with pytest.raises(FileNotFoundError):
        load_ab_prior(tmp_path / "missing.npy")

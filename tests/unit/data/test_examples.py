"""Bundled examples: loading, seeded damage, a clear error without scikit-image."""

from __future__ import annotations

import sys

import pytest
import torch

from restora.core.errors import RestoraError
from restora.data.examples import EXAMPLES, damaged_example, example_image

pytest.importorskip("skimage")


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_load_in_contract(name):
    image = example_image(name)
    assert image.ndim == 4 and image.shape[:2] == (1, 3)
    assert image.dtype == torch.float32
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0
    assert float(image.std()) > 0.1  # a real photo, not a blank


def test_astronaut_size():
    assert example_image().shape == (1, 3, 512, 512)


def test_damaged_example_is_seeded():
    damaged, mask, clean = damaged_example("chelsea", seed=3)
    again, mask_again, _ = damaged_example("chelsea", seed=3)
    assert torch.equal(damaged, again) and torch.equal(mask, mask_again)
    assert mask.shape == (1, 1, *clean.shape[-2:]) and float(mask.sum()) > 0
    assert torch.equal(clean, example_image("chelsea"))


def test_unknown_name():
    with pytest.raises(ValueError, match="astronaut"):
        example_image("lena")


def test_missing_scikit_image_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage", None)
    with pytest.raises(RestoraError, match=r"restora\[dev\]"):
        example_image("astronaut")

"""Fixtures for trainer tests: a small folder of synthetic photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.train.helpers import synthetic_photo

from restora.io import write_image


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten synthetic 64x80 PNG photos."""
    folder = tmp_path_factory.mktemp("photos")
    for i in range(10):
        write_image(folder / f"photo_{i:02d}.png", synthetic_photo(i))
    return folder

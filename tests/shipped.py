"""Test helpers: point a catalogue entry at a model of the test's own (or at nothing)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from restora.core.weights import sha256_file
from restora.models import catalogue, save_model
from restora.models.base import ConfigurableModel
from restora.models.checkpoint import CONFIG_FILE, WEIGHTS_FILE


def install(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    root: Path,
    model: ConfigurableModel | None = None,
    *,
    folder: Path | None = None,
) -> catalogue.ShippedModel:
    """Make catalogue entry ``name`` serve ``model`` (saved under ``root``), the model saved in
    ``folder``, or - with neither - nothing (not installed). Undone by ``monkeypatch``."""
    entry = catalogue.shipped(name)
    target = root / entry.folder
    if model is not None:
        save_model(model, target)
    elif folder is not None:
        target.mkdir(parents=True, exist_ok=True)
        for file in (CONFIG_FILE, WEIGHTS_FILE):
            shutil.copyfile(folder / file, target / file)
    changes: dict[str, object] = {"root": root}
    if (target / WEIGHTS_FILE).is_file():
        record = json.loads((target / CONFIG_FILE).read_text(encoding="utf-8"))
        changes.update(
            sha256=sha256_file(target / WEIGHTS_FILE),
            arch=record["arch"],
            scale=record["config"].get("scale", 1),
        )
    replaced = dataclasses.replace(entry, **changes)
    monkeypatch.setitem(catalogue.CATALOGUE, name, replaced)
    return replaced

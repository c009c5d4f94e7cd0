"""Recognize a foreign checkpoint, convert it by its key map and build the restora model.

Supported (see :mod:`restora.models.convert.official` for the known files):

- official DnCNN PyTorch port (legacy pickled module or a state dict) -> ``dncnn``;
- MatConvNet DnCNN-B / CDnCNN-B ``.mat`` -> ``dncnn`` with ``batch_norm=False``;
- MatConvNet FFDNet ``.mat`` -> ``ffdnet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from restora.core.errors import RestoraError
from restora.core.weights import checkpoint_format, load_state_dict, sha256_file
from restora.models.base import ConfigurableModel
from restora.models.convert.dncnn import convert_legacy_dncnn, convert_matconvnet_dncnn
from restora.models.convert.ffdnet import convert_matconvnet_ffdnet
from restora.models.convert.matconvnet import read_simplenn
from restora.models.convert.official import OfficialWeights, find_official
from restora.models.registry import create_model, get_architecture, list_models

__all__ = ["Converted", "convert_checkpoint", "import_checkpoint", "matching_models"]


@dataclass(frozen=True)
class Converted:
    """A converted checkpoint: restora ``arch`` + ``config`` + state dict, and where it came from
    (``source`` describes the format; ``official`` is set when the file's sha256 is known)."""

    arch: str
    config: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    source: str
    sha256: str
    official: OfficialWeights | None = None


def convert_checkpoint(path: str | Path) -> Converted:
    """Read a foreign checkpoint and convert it; the architecture is recognized from the file."""
    path = Path(path)
    if not path.is_file():
        raise RestoraError(f"checkpoint not found: {path}")
    digest = sha256_file(path)
    kind = checkpoint_format(path)
    if kind in ("matlab", "hdf5"):
        layers = read_simplenn(path)
        if layers and layers[0].type == "SubP":
            arch, source = "ffdnet", "MatConvNet FFDNet"
            config, state = convert_matconvnet_ffdnet(layers)
        else:
            arch, source = "dncnn", "MatConvNet DnCNN"
            config, state = convert_matconvnet_dncnn(layers)
    else:
        raw = load_state_dict(path)
        names = {k.removeprefix("module.") for k in raw}
        if "dncnn.0.weight" in names:
            arch, source = "dncnn", "official PyTorch DnCNN"
            config, state = convert_legacy_dncnn(raw)
        else:
            sample = ", ".join(sorted(names)[:6])
            raise RestoraError(
                f"{path}: unrecognized checkpoint layout (keys {sample}, ...); "
                "restora can import DnCNN (.pth / .mat) and FFDNet (.mat)"
            )
    return Converted(arch, config, state, source, digest, find_official(digest))


def matching_models(arch: str, config: dict[str, Any]) -> list[str]:
    """Registered model names of ``arch`` whose default config equals ``config``."""
    names = []
    for name in list_models(f"{arch}.*"):
        defaults = create_model(name).config
        if defaults == {**defaults, **config}:
            names.append(name)
    return names


def import_checkpoint(
    path: str | Path, model_name: str | None = None
) -> tuple[ConfigurableModel, Converted]:
    """Build the restora model for a foreign checkpoint and load its converted weights strictly.

    ``model_name`` (e.g. ``dncnn.b_color_mat``) must describe the same architecture as the file
    (else ``RestoraError`` naming the names that would fit); None picks the known file's model,
    or builds the architecture from the configuration read from the file.
    Returns ``(model in eval mode, conversion record)``.
    """
    converted = convert_checkpoint(path)
    if model_name is None and converted.official is not None:
        model_name = converted.official.model
    if model_name is None:
        model = get_architecture(converted.arch)(**converted.config)
    else:
        model = create_model(model_name)
        wanted = {**model.config, **converted.config}
        if model.arch != converted.arch or model.config != wanted:
            fits = matching_models(converted.arch, converted.config)
            hint = f"; use {', '.join(fits)}" if fits else ""
            raise RestoraError(
                f"{Path(path).name} is a {converted.source} ({converted.arch} "
                f"{converted.config}), which {model_name} ({model.arch} {model.config}) "
                f"does not match{hint}"
            )
    missing, unexpected = model.load_state_dict(converted.state_dict, strict=False)
    if missing or unexpected:  # the key maps are exact, so this means a bug: fail loudly
        raise RestoraError(f"converted keys do not fit: missing {missing}, unexpected {unexpected}")
    return model.eval(), converted

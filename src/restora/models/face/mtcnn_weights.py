"""Load MTCNN's reference weights (facenet-pytorch's ``pnet.pt`` / ``rnet.pt`` / ``onet.pt``,
MIT) through restora's allow-list unpickler, checking each file's sha256 and every tensor's
name and shape.

restora ships no copy of these files. They are looked up in, first to last: the ``folder``
argument, ``$RESTORA_MTCNN_DIR``, ``weights_dir() / "mtcnn"`` (the user's cache) and
``shared/weights/mtcnn_facenet_pytorch``.
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

import torch
from torch import nn

from restora.core.errors import RestoraError
from restora.core.paths import shared_dir
from restora.core.unpickle import restricted_pickle_module
from restora.core.weights import verify_sha256, weights_dir
from restora.models.face.mtcnn_nets import ONet, PNet, RNet

__all__ = [
    "MTCNN_FILES",
    "find_mtcnn_folder",
    "load_mtcnn_nets",
    "mtcnn_available",
    "read_reference_state",
]

MTCNN_FILES = {
    "pnet.pt": "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
    "rnet.pt": "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
    "onet.pt": "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
}
"""File name → sha256 of facenet-pytorch's ``data/*.pt`` (commit 787da06)."""


def _candidates(folder: str | Path | None) -> list[Path]:
    found = [Path(folder)] if folder is not None else []
    if os.environ.get("RESTORA_MTCNN_DIR"):
        found.append(Path(os.environ["RESTORA_MTCNN_DIR"]).expanduser())
    found.append(weights_dir() / "mtcnn")
    shared = shared_dir()
    if shared is not None:
        found.append(shared / "weights" / "mtcnn_facenet_pytorch")
    return found


def find_mtcnn_folder(folder: str | Path | None = None) -> Path:
    """The first candidate folder holding all three files (see the module docstring).

    Raises ``RestoraError`` listing where it looked. An explicit ``folder`` that lacks the files
    is an error even if another candidate has them.
    """
    candidates = _candidates(folder)
    if folder is not None:
        candidates = candidates[:1]
    for path in candidates:
        if all((path / name).is_file() for name in MTCNN_FILES):
            return path
    looked = ", ".join(str(p) for p in candidates)
    raise RestoraError(
        f"MTCNN weights ({', '.join(MTCNN_FILES)} from facenet-pytorch) not found in: {looked}; "
        "place them in one of these folders or set $RESTORA_MTCNN_DIR"
    )


def mtcnn_available(folder: str | Path | None = None) -> bool:
    """True when the three weight files are found (their checksums are checked on loading)."""
    try:
        find_mtcnn_folder(folder)
    except RestoraError:
        return False
    return True


def read_reference_state(path: str | Path) -> dict[str, torch.Tensor]:
    """A reference ``*.pt`` state dict, unpickled by :mod:`restora.core.unpickle` (tensors only)."""
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            state = torch.load(
                path,
                map_location="cpu",
                weights_only=False,  # safe: every global goes through restora's allow-list
                pickle_module=restricted_pickle_module(()),
            )
        except RestoraError:
            raise
        except Exception as exc:  # noqa: BLE001 - torch raises many kinds for broken files
            raise RestoraError(f"{path} is not a readable PyTorch state dict: {exc}") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise RestoraError(f"{path} does not hold a state dict of tensors")
    return {str(k): v.float() for k, v in state.items()}


def _load_into(net: nn.Module, path: Path) -> nn.Module:
    verify_sha256(path, MTCNN_FILES[path.name])
    state = read_reference_state(path)
    expected = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    if expected != got:
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        wrong = sorted(k for k in set(expected) & set(got) if expected[k] != got[k])
        raise RestoraError(f"{path}: missing {missing}, unexpected {extra}, wrong shape {wrong}")
    net.load_state_dict(state)
    return net.eval().requires_grad_(False)


@functools.lru_cache(maxsize=2)
def _load_cached(folder: Path) -> tuple[PNet, RNet, ONet]:
    return (
        _load_into(PNet(), folder / "pnet.pt"),  # type: ignore[return-value]
        _load_into(RNet(), folder / "rnet.pt"),
        _load_into(ONet(), folder / "onet.pt"),
    )


def load_mtcnn_nets(folder: str | Path | None = None) -> tuple[PNet, RNet, ONet]:
    """The three networks with the reference weights, in eval mode, no gradients (cached per
    folder: do not modify them)."""
    return _load_cached(find_mtcnn_folder(folder).resolve())

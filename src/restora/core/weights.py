"""Weights are data: where a file comes from, its checksum and licence, and safe loading.

- :class:`Weights` describes one published weight file (name, url, sha256, licence, training
  data, metrics); :meth:`Weights.fetch` finds it in the cache and checks it (downloading only
  when asked to).
- :func:`cache_dir` is ``$RESTORA_HOME`` or ``~/.cache/restora``; weight files live in its
  ``weights/`` folder.
- :func:`download_weights` fetches a URL into a ``.part`` file (resumed when the server allows),
  checks the sha256 and renames it into place atomically. Nothing in restora downloads by default.
- :func:`load_state_dict` reads safetensors, ``torch.save`` zip files (``weights_only=True``) and
  legacy (pre-1.6, non-zip) PyTorch pickles through an allow-list unpickler
  (:mod:`restora.core.unpickle`) that rebuilds tensors and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch

from restora.core.errors import RestoraError
from restora.core.unpickle import (
    STUB_MODULE_PREFIXES,
    ModuleStub,
    collect_tensors,
    restricted_pickle_module,
)

__all__ = [
    "CheckpointFormat",
    "Weights",
    "cache_dir",
    "checkpoint_format",
    "download_weights",
    "load_state_dict",
    "sha256_file",
    "verify_sha256",
    "weights_dir",
]

CheckpointFormat = Literal["safetensors", "torch_zip", "torch_legacy", "matlab", "hdf5", "unknown"]
_CHUNK = 1 << 20
_SCHEMES = ("https", "http", "file")


@dataclass(frozen=True)
class Weights:
    """One published weight file.

    - ``file_name``: the name in the cache (``weights_dir() / file_name``).
    - ``sha256``: the full hex digest; checked whenever the file is fetched.
    - ``url``: where users online can download it (None: place the file by hand).
    - ``license``, ``training_data``, ``source`` (provenance / citation): free text.
    - ``metrics``: published or measured numbers, e.g. ``{"psnr_bsd68_sigma25": 29.23}``.
    """

    file_name: str
    sha256: str
    url: str | None = None
    license: str = "unknown"
    training_data: str = ""
    source: str = ""
    metrics: Mapping[str, float] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        digest = self.sha256.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"sha256 must be 64 hex digits, got {self.sha256!r}")
        if Path(self.file_name).name != self.file_name or not self.file_name:
            raise ValueError(f"file_name must be a plain file name, got {self.file_name!r}")

    def cached_path(self, cache: str | Path | None = None) -> Path:
        """Where the file lives in the cache (it may not exist)."""
        return (Path(cache) if cache is not None else weights_dir()) / self.file_name

    def fetch(self, *, download: bool = False, cache: str | Path | None = None) -> Path:
        """The verified local file; downloads it from ``url`` only when ``download=True``.

        Raises ``RestoraError`` when the file is missing (saying where to put it) or its sha256
        does not match.
        """
        path = self.cached_path(cache)
        if path.is_file():
            verify_sha256(path, self.sha256)
            return path
        if not download or not self.url:
            how = f"download it from {self.url} or " if self.url else ""
            raise RestoraError(f"weights {self.file_name} not found: {how}place it at {path}")
        return download_weights(self.url, path, sha256=self.sha256)


def cache_dir() -> Path:
    """restora's cache folder: ``$RESTORA_HOME`` if set, else ``~/.cache/restora`` (not created)."""
    env = os.environ.get("RESTORA_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "restora"


def weights_dir() -> Path:
    """``cache_dir() / "weights"`` (not created)."""
    return cache_dir() / "weights"


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: str | Path, expected: str) -> None:
    """Raise ``RestoraError`` naming both digests unless ``path``'s sha256 is ``expected``."""
    actual = sha256_file(path)
    if actual != expected.lower():
        raise RestoraError(
            f"sha256 mismatch for {path}: expected {expected.lower()}, got {actual} "
            "(corrupt or different file; delete it and fetch again)"
        )


def download_weights(
    url: str, dest: str | Path, *, sha256: str | None = None, timeout: float = 60.0
) -> Path:
    """Download ``url`` to ``dest`` and return ``dest``.

    The data goes to ``dest.part`` first; an interrupted download is resumed from there with an
    HTTP ``Range`` request (servers that ignore it send the whole file, which then replaces the
    partial one). With ``sha256`` the result is checked before ``dest`` appears (atomic rename);
    a mismatch deletes the partial file and raises ``RestoraError``. An existing ``dest`` with
    the right digest is returned as is. Only ``https``, ``http`` and ``file`` URLs are accepted.
    """
    dest = Path(dest)
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise RestoraError(f"refusing to download from {url!r}: scheme must be one of {_SCHEMES}")
    if dest.is_file() and (sha256 is None or sha256_file(dest) == sha256.lower()):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "restora"})
    if offset and scheme != "file":
        request.add_header("Range", f"bytes={offset}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            resumed = offset > 0 and getattr(response, "status", None) == 206
            with open(part, "ab" if resumed else "wb") as out:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
    except OSError as exc:  # URLError, HTTPError, timeouts (the .part file is kept to resume)
        raise RestoraError(f"download of {url} failed: {exc}") from None
    if sha256 is not None:
        try:
            verify_sha256(part, sha256)
        except RestoraError:
            part.unlink(missing_ok=True)
            raise
    os.replace(part, dest)
    return dest


def checkpoint_format(path: str | Path) -> CheckpointFormat:
    """What a weight file is, from its first bytes (the extension is not trusted)."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(b"PK\x03\x04"):
        return "torch_zip"
    if head.startswith(b"MATLAB"):
        return "matlab"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if head[:1] == b"\x80":  # pickle PROTO opcode: torch's legacy format starts with a pickle
        return "torch_legacy"
    if len(head) >= 9 and head[8:9] == b"{":  # u64 header length, then a JSON header
        return "safetensors"
    return "unknown"


def load_state_dict(
    path: str | Path,
    *,
    key: str | None = None,
    stub_modules: Iterable[str] = (),
) -> dict[str, torch.Tensor]:
    """Read a state dict (name -> CPU tensor) without running code from the file.

    Args:
        path: a ``.safetensors`` file, a ``torch.save`` zip file (``.pth``/``.pt``), or a
            legacy non-zip PyTorch pickle. Zip files are read with ``weights_only=True``; when
            that refuses them (whole pickled modules) and for legacy pickles, the allow-list
            unpickler of :mod:`restora.core.unpickle` is used, turning module classes into
            inert stubs whose parameters and buffers are collected.
        key: take the state dict from this entry of a checkpoint dict (e.g. ``"state_dict"``).
        stub_modules: extra module-name prefixes whose classes may be stubbed (e.g.
            ``("models.",)`` for a repo's pickled architecture classes).

    Raises:
        RestoraError: unreadable or unsupported file, a refused global
            (:class:`~restora.core.unpickle.RefusedGlobalError` names it), or no state dict.
    """
    path = Path(path)
    if not path.is_file():
        raise RestoraError(f"weights file not found: {path}")
    kind = checkpoint_format(path)
    if kind == "safetensors":
        from safetensors.torch import load_file

        try:
            obj: Any = load_file(str(path), device="cpu")
        except Exception as exc:  # safetensors raises its own SafetensorError
            raise RestoraError(f"{path} is not a valid safetensors file: {exc}") from None
    elif kind in ("torch_zip", "torch_legacy"):
        obj = _torch_load(path, (*STUB_MODULE_PREFIXES, *stub_modules))
    elif kind in ("matlab", "hdf5"):
        raise RestoraError(
            f"{path} is a MATLAB/HDF5 file: convert it with `restora models import` "
            "(restora.models.convert)"
        )
    else:
        raise RestoraError(f"{path}: unknown weights format (not safetensors or PyTorch)")
    return _state_dict_of(obj, key, path)


def _torch_load(path: Path, stub_prefixes: tuple[str, ...]) -> Any:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        pass  # a global outside torch's allow-list: let ours refuse it by name, or stub it
    except RuntimeError as exc:
        raise RestoraError(f"{path} is not a readable PyTorch checkpoint: {exc}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "source code of class ... has changed", etc.
        try:
            return torch.load(
                path,
                map_location="cpu",
                weights_only=False,  # safe: every global goes through our allow-list
                pickle_module=restricted_pickle_module(stub_prefixes),
            )
        except RestoraError:
            raise
        except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
            raise RestoraError(f"{path} is not a readable PyTorch checkpoint: {exc}") from None


def _state_dict_of(obj: Any, key: str | None, path: Path) -> dict[str, torch.Tensor]:
    if key is not None:
        if not isinstance(obj, Mapping) or key not in obj:
            keys = sorted(map(str, obj)) if isinstance(obj, Mapping) else type(obj).__name__
            raise RestoraError(f"{path} has no entry {key!r} (found: {keys})")
        obj = obj[key]
    if isinstance(obj, ModuleStub):
        state = collect_tensors(obj)
        if not state:
            raise RestoraError(f"{path} holds a pickled {obj.pickled_class} without tensors")
        return state
    if isinstance(obj, Mapping):
        other = [str(k) for k, v in obj.items() if not isinstance(v, torch.Tensor)]
        if not other and obj:
            return {str(k): v for k, v in obj.items()}
        raise RestoraError(
            f"{path} is not a plain state dict (entries that are not tensors: "
            f"{', '.join(other[:10]) or 'none, it is empty'}); pass key= to pick one"
        )
    raise RestoraError(f"{path} holds a {type(obj).__name__}, not a state dict")

"""Test helper: read the official DnCNN ``model.pth`` (a legacy, non-zip pickle of a whole
``__main__.DnCNN`` module) without executing foreign code.

A restricted unpickler resolves only tensor-rebuilding functions, storages, ``OrderedDict`` and
``Parameter``; every ``torch.nn`` module class (and ``__main__.DnCNN``) becomes an inert stub
that keeps its pickled ``__dict__``, from which the parameters and buffers are collected.
"""

from __future__ import annotations

import collections
import pickle
import types
import warnings
from pathlib import Path
from typing import Any

import torch

_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
    ("torch.nn.parameter", "Parameter"): lambda data, *args: data,
}


class _Stub:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, dict):
            self.__dict__.update(state)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name.endswith("Storage"):
            return getattr(torch, name)
        if module == "__main__" or module.startswith(("torch.nn.modules.", "torch.nn.backends.")):
            return type(name, (_Stub,), {})
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


_PICKLE = types.SimpleNamespace(
    Unpickler=_Unpickler, load=lambda f, **kw: _Unpickler(f, **kw).load(), __name__="restricted"
)


def _collect(module: Any, prefix: str = "") -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = {}
    for table in ("_parameters", "_buffers"):
        for key, value in module.__dict__.get(table, {}).items():
            if value is not None:
                state[prefix + key] = value
    for key, child in module.__dict__.get("_modules", {}).items():
        state.update(_collect(child, f"{prefix}{key}."))
    return state


def load_legacy_module_state(path: Path) -> dict[str, torch.Tensor]:
    """The state dict of a legacy whole-module pickle, on CPU."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Couldn't retrieve source code ..."
        root = torch.load(path, pickle_module=_PICKLE, weights_only=False, map_location="cpu")
    return _collect(root)

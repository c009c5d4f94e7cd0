"""An allow-list unpickler for PyTorch checkpoints that rebuilds tensors and nothing else.

A pickle is a program: loading one may call any importable function (``os.system``,
``builtins.eval``, ...). This unpickler resolves only the globals a checkpoint needs to hold
tensors (spandrel's ``RestrictedUnpickler`` idea):

- the tensor/storage rebuild functions of ``torch._utils`` and ``torch.nn.Parameter`` (rebuilt
  as plain tensors; pickled backward hooks are dropped), ``collections.OrderedDict``, ``set``;
- module classes (``torch.nn.modules.*``, ``torch.nn.backends.*``, ``__main__.*`` and any
  prefix the caller names) become inert :class:`ModuleStub` classes: creating one runs no code,
  its pickled state is kept as plain attributes, and :func:`collect_tensors` gathers its
  ``_parameters`` / ``_buffers`` into a state dict.

Every other global raises :class:`RefusedGlobalError` naming it, before anything is called.
Storages are resolved by :func:`torch.load` itself (it hands the unpickler only storage *types*).
"""

from __future__ import annotations

import collections
import pickle
import types
from collections.abc import Callable, Iterable
from typing import Any

import torch

from restora.core.errors import RestoraError

__all__ = [
    "STUB_MODULE_PREFIXES",
    "ModuleStub",
    "RefusedGlobalError",
    "RestrictedUnpickler",
    "collect_tensors",
    "restricted_pickle_module",
]

STUB_MODULE_PREFIXES = ("__main__", "torch.nn.modules.", "torch.nn.backends.")


class RefusedGlobalError(RestoraError, pickle.UnpicklingError):
    """A pickle referenced a global outside the allow-list; ``global_name`` is ``module.name``."""

    def __init__(self, global_name: str) -> None:
        super().__init__(
            f"refusing to unpickle {global_name}: a weights file may only hold tensors "
            "(this file may be malicious or need code restora does not run)"
        )
        self.global_name = global_name


def _rebuild_tensor_v2(
    storage: Any,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool = False,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> torch.Tensor:
    """``torch._utils._rebuild_tensor_v2`` without the pickled hooks and metadata."""
    return _rebuild_tensor(storage, storage_offset, size, stride)


def _rebuild_tensor(
    storage: Any, storage_offset: int, size: tuple[int, ...], stride: tuple[int, ...]
) -> torch.Tensor:
    if not isinstance(storage, torch.storage.TypedStorage):
        raise RestoraError(f"tensor rebuilt from a {type(storage).__name__}, not a torch storage")
    return torch._utils._rebuild_tensor(storage, storage_offset, size, stride)


def _parameter(data: Any, requires_grad: bool = True, *args: Any) -> torch.Tensor:
    """``Parameter`` / ``_rebuild_parameter`` (and ``_with_state``): the tensor itself."""
    if not isinstance(data, torch.Tensor):
        raise RestoraError(f"parameter rebuilt from a {type(data).__name__}, not a tensor")
    return data


_ALLOWED: dict[tuple[str, str], Callable[..., Any]] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _parameter,
    ("torch.nn.parameter", "Parameter"): _parameter,
}


class ModuleStub:
    """Stands in for a pickled module class: accepts any arguments, runs no code, and keeps the
    pickled state (``_parameters``, ``_buffers``, ``_modules``, ...) as plain attributes."""

    pickled_class: str = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> ModuleStub:
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slot state)
            state = state[0]
        if isinstance(state, dict):
            self.__dict__.update({str(k): v for k, v in state.items()})

    def __repr__(self) -> str:
        return f"<stub of {self.pickled_class}>"


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only the allow-list (see the module docstring).

    ``stub_prefixes``: module-name prefixes whose classes become :class:`ModuleStub`
    subclasses (default :data:`STUB_MODULE_PREFIXES`).
    """

    def __init__(
        self, file: Any, *, stub_prefixes: Iterable[str] = STUB_MODULE_PREFIXES, **kwargs: Any
    ) -> None:
        super().__init__(file, **kwargs)
        self._stub_prefixes = tuple(stub_prefixes)
        self._stubs: dict[str, type[ModuleStub]] = {}

    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED.get((module, name))
        if allowed is not None:
            return allowed
        qualified = f"{module}.{name}"
        if name.isidentifier() and any(
            module == p.rstrip(".") or module.startswith(p) for p in self._stub_prefixes
        ):
            if qualified not in self._stubs:
                self._stubs[qualified] = type(name, (ModuleStub,), {"pickled_class": qualified})
            return self._stubs[qualified]
        raise RefusedGlobalError(qualified)


def restricted_pickle_module(
    stub_prefixes: Iterable[str] = STUB_MODULE_PREFIXES,
) -> types.SimpleNamespace:
    """A ``pickle``-like namespace for ``torch.load(..., pickle_module=...)``."""
    prefixes = tuple(stub_prefixes)

    class _Unpickler(RestrictedUnpickler):
        def __init__(self, file: Any, **kwargs: Any) -> None:
            super().__init__(file, stub_prefixes=prefixes, **kwargs)

    def load(file: Any, **kwargs: Any) -> Any:
        return _Unpickler(file, **kwargs).load()

    return types.SimpleNamespace(
        __name__="restora_restricted_pickle", Unpickler=_Unpickler, load=load
    )


def collect_tensors(root: Any, prefix: str = "") -> dict[str, torch.Tensor]:
    """The state dict of an unpickled module tree (stubs), as ``nn.Module.state_dict`` names it.

    ``None`` entries (e.g. ``bias=False``) are skipped; non-persistent buffers are not
    distinguished (old pickles do not record them).
    """
    state: dict[str, torch.Tensor] = {}
    attributes = getattr(root, "__dict__", {})
    for table in ("_parameters", "_buffers"):
        for key, value in (attributes.get(table) or {}).items():
            if isinstance(value, torch.Tensor):
                state[f"{prefix}{key}"] = value
    for key, child in (attributes.get("_modules") or {}).items():
        if child is not None:
            state.update(collect_tensors(child, f"{prefix}{key}."))
    return state

"""``ConfigurableModel``: an ``nn.Module`` that records its constructor arguments as ``config``.

A checkpoint stores ``arch`` + ``config`` next to the weights, so the model can be rebuilt
exactly (see :mod:`restora.models.checkpoint`). Subclasses must take keyword-only arguments whose
values are JSON-compatible (numbers, strings, booleans, None, lists); this is checked when the
class is defined and when an instance is built.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
from typing import Any, ClassVar

from torch import nn

from restora.models.descriptor import ModelDescriptor

__all__ = ["ConfigurableModel"]


class ConfigurableModel(nn.Module):
    """Base class of restora architectures.

    ``arch`` is the architecture name under which :func:`restora.models.registry.architecture`
    registered the class. ``config`` is a JSON-normalized copy of every constructor argument
    (defaults included; tuples become lists), so ``type(m)(**m.config)`` rebuilds ``m``.
    """

    arch: ClassVar[str] = ""
    _config: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _recording_init(cls, init)  # type: ignore[method-assign]

    @property
    def config(self) -> dict[str, Any]:
        """The constructor arguments (a deep copy), e.g. ``{"scale": 4, "width": 64, ...}``."""
        return copy.deepcopy(self._config)

    def describe(self) -> ModelDescriptor:
        """The model's :class:`~restora.models.descriptor.ModelDescriptor` (if it has one)."""
        raise NotImplementedError(f"{type(self).__name__} has no inference descriptor")


def _recording_init(cls: type, init: Any) -> Any:
    signature = inspect.signature(init)
    params = list(signature.parameters.values())[1:]
    positional = [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    if positional:
        raise TypeError(
            f"{cls.__name__}.__init__ must take keyword-only arguments (add '*,'); "
            f"not keyword-only: {', '.join(positional)}"
        )

    @functools.wraps(init)
    def __init__(self: ConfigurableModel, **kwargs: Any) -> None:
        init(self, **kwargs)
        if type(self).__init__ is __init__:  # the most derived constructor records
            bound = signature.bind(self, **kwargs)
            bound.apply_defaults()
            arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
            self._config = _json_normalized(arguments, cls.__name__)

    return __init__


def _json_normalized(arguments: dict[str, Any], owner: str) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(arguments))
    except TypeError as exc:
        raise TypeError(
            f"{owner} arguments must be JSON-compatible to be recorded: {exc}"
        ) from None

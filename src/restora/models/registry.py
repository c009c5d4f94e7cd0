"""Model registry (timm style): named builders ``arch.tag`` and the architecture classes.

Builders are registered with ``@register_model("edsr.baseline_x4")`` in the module that defines
the architecture; classes with ``@architecture("edsr")``. The modules are imported from the
explicit list ``_MODULES`` on first use (:func:`create_model`, :func:`list_models`,
:func:`get_architecture`) - never by scanning folders.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from torch import nn

from restora.core.errors import ConfigError
from restora.core.registry import Registry
from restora.models.base import ConfigurableModel

__all__ = [
    "ARCHITECTURES",
    "MODELS",
    "architecture",
    "build",
    "create_model",
    "get_architecture",
    "list_models",
    "register_model",
]

MODELS: Registry[Callable[..., nn.Module]] = Registry("model")
ARCHITECTURES: Registry[type[ConfigurableModel]] = Registry("architecture")

_MODULES = (
    "restora.models.segmentation.unet",
    "restora.models.image2image.pix2pix",
    "restora.models.discriminators.patchgan",
    "restora.models.sr.edsr",
    "restora.models.sr.espcn",
    "restora.models.sr.fsrcnn",
    "restora.models.sr.restora_sr",
    "restora.models.denoise.dncnn",
    "restora.models.denoise.ffdnet",
    "restora.models.denoise.restora_denoiser",
    "restora.models.inpainting.pconv_unet",
    "restora.models.inpainting.gated_net",
    "restora.models.inpainting.refine_net",
    "restora.models.colorization.eccv16",
    "restora.models.colorization.siggraph17",
    "restora.models.dip.skip",
    "restora.models.face.embed_net",
    "restora.models.face.mark_verifier",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_]*$")
_ARCH = re.compile(r"^[a-z][a-z0-9_]*$")
_loaded = False

B = TypeVar("B", bound=Callable[..., nn.Module])
C = TypeVar("C", bound=type[ConfigurableModel])


def register_model(name: str) -> Callable[[B], B]:
    """Decorator registering a builder ``(**overrides) -> nn.Module`` as ``name`` (``arch.tag``).

    A duplicate name raises ``KeyError``; a malformed name raises ``ValueError``.
    """
    if not _NAME.match(name):
        raise ValueError(f"model names look like 'arch.tag' (lowercase, digits, _), got {name!r}")
    return MODELS.register(name)


def architecture(name: str) -> Callable[[C], C]:
    """Class decorator: set ``cls.arch = name`` and register the class for checkpoint loading."""
    if not _ARCH.match(name):
        raise ValueError(f"architecture names are lowercase identifiers, got {name!r}")

    def decorator(cls: C) -> C:
        ARCHITECTURES.add(name, cls)
        cls.arch = name
        return cls

    return decorator


def build(cls: type[ConfigurableModel], overrides: Mapping[str, Any], /, **defaults: Any) -> Any:
    """``cls(**{**defaults, **overrides})``, naming unknown override keys with close matches.

    >>> build(EDSR, {"width": 8}, scale=2)  # doctest: +SKIP
    """
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = [k for k in overrides if k not in accepted]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, accepted, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(
            f"unknown option(s) for {cls.__name__}: {', '.join(hints)}; "
            f"accepted: {', '.join(accepted)}"
        )
    return cls(**{**defaults, **overrides})


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in _MODULES:
            importlib.import_module(module)
        _loaded = True


def create_model(name: str, **overrides: Any) -> nn.Module:
    """Build the registered model ``name`` with keyword ``overrides`` of its defaults.

    Unknown names raise ``KeyError`` listing close matches; unknown options raise ``ConfigError``.

    >>> model = create_model("edsr.baseline_x2", width=8, num_blocks=2)
    >>> model.config["scale"], model.config["width"]
    (2, 8)
    """
    _load()
    return MODELS.get(name)(**overrides)


def list_models(pattern: str = "*") -> list[str]:
    """Registered model names matching the shell-style ``pattern``, sorted.

    >>> "dncnn.s_gray" in list_models("dncnn.*")
    True
    """
    _load()
    return [n for n in MODELS.names() if fnmatch.fnmatchcase(n, pattern)]


def get_architecture(name: str) -> type[ConfigurableModel]:
    """The architecture class registered as ``name`` (``KeyError`` with close matches if none)."""
    _load()
    return ARCHITECTURES.get(name)

"""Spectral normalization (Miyato et al. 2018) through torch's parametrization API."""

from __future__ import annotations

from typing import TypeVar

from torch import nn
from torch.nn.utils import parametrizations

__all__ = ["apply_spectral_norm", "spectral_norm"]

M = TypeVar("M", bound=nn.Module)

_NORMALIZED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.Linear)


def spectral_norm(module: M, *, n_power_iterations: int = 1, eps: float = 1e-12) -> M:
    """Spectrally normalize ``module.weight`` (in place) and return the module.

    Wraps ``torch.nn.utils.parametrizations.spectral_norm``: state-dict keys become
    ``parametrizations.weight.original`` plus the ``_u``/``_v`` power-iteration vectors. In train
    mode each forward runs ``n_power_iterations`` updates of ``u``/``v``; in eval mode the stored
    vectors are used, so outputs are deterministic. Transposed convolutions are normalized over
    their output-channel dimension, as torch does by default.
    """
    return parametrizations.spectral_norm(module, n_power_iterations=n_power_iterations, eps=eps)


def apply_spectral_norm(model: M, *, n_power_iterations: int = 1) -> M:
    """Spectrally normalize every convolution and linear layer inside ``model``; return it."""
    for module in list(model.modules()):
        if isinstance(module, _NORMALIZED) and getattr(module, "weight", None) is not None:
            if not _is_normalized(module):
                spectral_norm(module, n_power_iterations=n_power_iterations)
    return model


def _is_normalized(module: nn.Module) -> bool:
    params = getattr(module, "parametrizations", None)
    return params is not None and "weight" in params

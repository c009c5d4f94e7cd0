"""Apply an explicit key map to a foreign state dict: every key must be mapped, none missing."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from restora.core.errors import RestoraError

__all__ = ["apply_key_map", "strip_prefix"]


def apply_key_map(
    state: Mapping[str, torch.Tensor], key_map: Mapping[str, str], what: str
) -> dict[str, torch.Tensor]:
    """``{key_map[k]: v}`` for every ``k`` in ``state``, in ``key_map``'s order.

    Raises ``RestoraError`` naming the keys of ``state`` that the map lacks and the keys the map
    expects that ``state`` lacks (so a partial load can never happen silently).
    """
    unexpected = [k for k in state if k not in key_map]
    missing = [k for k in key_map if k not in state]
    if unexpected or missing:
        raise RestoraError(
            f"{what} keys do not match the key map: unexpected {unexpected[:8]}"
            f"{' ...' if len(unexpected) > 8 else ''}, missing {missing[:8]}"
            f"{' ...' if len(missing) > 8 else ''}"
        )
    return {target: state[source] for source, target in key_map.items()}


def strip_prefix(state: Mapping[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """``state`` with ``prefix`` removed when every key has it (e.g. ``module.``), else a copy."""
    if state and all(k.startswith(prefix) for k in state):
        return {k[len(prefix) :]: v for k, v in state.items()}
    return dict(state)

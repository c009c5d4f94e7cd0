"""A loss composer: a weighted sum of named terms that reports every term (LaMa style)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from restora.core.errors import ConfigError

LossFn = Callable[..., torch.Tensor | tuple[torch.Tensor, Mapping[str, torch.Tensor]]]
SEPARATOR = "/"


@dataclass(frozen=True)
class LossTerm:
    """One term: ``weight * fn(...)``.

    ``fn``'s required parameters are filled from the composer's inputs by name; ``inputs`` renames
    (``{"x": "composite"}`` passes input ``composite`` as ``x``) and is the only way to fill
    parameters that have defaults (``{"mask": "region"}``). Bind keyword options with
    ``functools.partial`` (``partial(charbonnier, eps=1e-6)``).
    """

    fn: LossFn
    weight: float = 1.0
    inputs: Mapping[str, str] = field(default_factory=dict)


def _parameters(fn: LossFn) -> list[inspect.Parameter]:
    target = fn.forward if isinstance(fn, nn.Module) else fn
    return list(inspect.signature(target).parameters.values())


def _bind(name: str, term: LossTerm) -> tuple[list[str], dict[str, str]]:
    """-> (input keys passed positionally, {parameter: input key} passed by keyword)."""
    params = _parameters(term.fn)
    fillable = {
        p.name: p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    unknown = [p for p in term.inputs if p not in fillable]
    if unknown:
        raise ConfigError(
            f"loss term {name!r}: inputs rename unknown parameters {unknown}; "
            f"{getattr(term.fn, '__name__', type(term.fn).__name__)} takes {list(fillable)}"
        )
    positional: list[str] = []
    keyword: dict[str, str] = {}
    for p in fillable.values():
        if p.name not in term.inputs and p.default is not p.empty:
            continue
        key = term.inputs.get(p.name, p.name)
        if p.kind is p.POSITIONAL_ONLY:
            positional.append(key)
        else:
            keyword[p.name] = key
    return positional, keyword


class LossComposer(nn.Module):
    """``total = sum_k weight_k * term_k(inputs)``; ``forward(**inputs) -> (total, logs)``.

    Args:
        terms: ``{name: LossTerm | (weight, fn) | (weight, fn, inputs)}``. A weight of 0 disables
            the term (not computed, not logged). ``nn.Module`` terms become submodules (so
            ``.to(device)`` moves a VGG extractor).

    ``logs`` maps each term name to its **unweighted** value, detached. A term returning
    ``(total, {sub: value})`` (e.g. :func:`hole_valid_l1`) adds ``total`` under its name and each
    sub-value under ``"name/sub"``.

    >>> from restora.losses import l1, tv_loss
    >>> loss = LossComposer({"l1": (1.0, l1), "tv": (0.1, tv_loss, {"x": "pred"})})
    >>> total, logs = loss(pred=torch.zeros(1, 1, 2, 2), target=torch.ones(1, 1, 2, 2))
    >>> sorted(logs), float(total)
    (['l1', 'tv'], 1.0)
    """

    def __init__(self, terms: Mapping[str, LossTerm | tuple]) -> None:
        super().__init__()
        if not terms:
            raise ConfigError("LossComposer needs at least one term")
        self.terms: dict[str, LossTerm] = {}
        self._bindings: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.modules_by_term = nn.ModuleDict()
        for name, spec in terms.items():
            if not name or "." in name or SEPARATOR in name:
                raise ConfigError(f"loss term name {name!r} must be non-empty without '.' or '/'")
            term = spec if isinstance(spec, LossTerm) else _term_from_tuple(name, spec)
            self.terms[name] = term
            self._bindings[name] = _bind(name, term)
            if isinstance(term.fn, nn.Module):
                self.modules_by_term[name] = term.fn

    def forward(self, **inputs: object) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        total: torch.Tensor | None = None
        logs: dict[str, torch.Tensor] = {}
        for name, term in self.terms.items():
            if term.weight == 0:
                continue
            positional, keyword = self._bindings[name]
            missing = sorted({*positional, *keyword.values()} - inputs.keys())
            if missing:
                raise TypeError(f"loss term {name!r} needs inputs {missing}; got {sorted(inputs)}")
            out = term.fn(
                *(inputs[k] for k in positional), **{p: inputs[k] for p, k in keyword.items()}
            )
            value, parts = out if isinstance(out, tuple) else (out, {})
            _check_scalar(name, value)
            logs[name] = value.detach()
            for sub, part in parts.items():
                logs[f"{name}{SEPARATOR}{sub}"] = part.detach()
            weighted = term.weight * value
            total = weighted if total is None else total + weighted
        if total is None:
            raise ConfigError("every loss term has weight 0: nothing to optimize")
        return total, logs


def _term_from_tuple(name: str, spec: tuple) -> LossTerm:
    if not isinstance(spec, tuple) or len(spec) not in (2, 3):
        raise ConfigError(
            f"loss term {name!r} must be LossTerm, (weight, fn) or (weight, fn, inputs); got {spec!r}"
        )
    weight, fn, *rest = spec
    if not callable(fn):
        raise ConfigError(f"loss term {name!r}: {fn!r} is not callable")
    return LossTerm(fn=fn, weight=float(weight), inputs=dict(rest[0]) if rest else {})


def _check_scalar(name: str, value: object) -> None:
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"loss term {name!r} must return a scalar tensor, got {shape}")

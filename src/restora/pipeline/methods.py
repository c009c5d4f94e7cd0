"""Stages as tables of methods, with one rule for ``auto`` and for missing weights.

A stage lists its :class:`Method` candidates in order of preference; a method that needs a
shipped model names its catalogue entry (:mod:`restora.models.catalogue`). :func:`pick`:

- ``auto`` takes the first candidate marked ``auto`` whose model is installed, with a note for
  each preferred one that is not (a fallback is never silent);
- a named method takes the first candidate of that name whose model is installed, and raises
  ``RestoraError`` when none is (asking for a network is never answered by another method);
- an unknown name raises ``KeyError`` listing the known ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from restora.core.errors import RestoraError
from restora.models.catalogue import CATALOGUE, installed

__all__ = ["Method", "pick"]


@dataclass(frozen=True)
class Method:
    """A way a stage can do its job: ``name`` as the spec says it, the catalogue entry it
    needs (``model``; None for classical methods), and whether ``auto`` may choose it."""

    name: str
    model: str | None = None
    auto: bool = True

    def available(self) -> bool:
        """Whether the method can run here (its model, if any, is catalogued and installed)."""
        return self.model is None or (self.model in CATALOGUE and installed(self.model))


def pick(stage: str, wanted: str, candidates: Sequence[Method]) -> tuple[Method, list[str]]:
    """The method ``wanted`` (or ``auto``) resolves to among ``candidates``, and notes saying
    which preferred methods were passed over because their weights are not installed.

    >>> pick("denoise", "auto", [Method("nlm")])
    (Method(name='nlm', model=None, auto=True), [])
    """
    if wanted == "auto":
        options = [c for c in candidates if c.auto]
    else:
        options = [c for c in candidates if c.name == wanted]
        if not options:
            known = ", ".join(dict.fromkeys(["auto", *(c.name for c in candidates)]))
            raise KeyError(f"unknown {stage} method {wanted!r} (known: {known})")
    missing = [c for c in options if not c.available()]
    chosen = next((c for c in options if c.available()), None)
    if chosen is None:
        others = ", ".join(dict.fromkeys(c.name for c in candidates if c.available()))
        models = " / ".join(str(c.model) for c in missing)
        raise RestoraError(
            f"{stage} method {wanted!r}: restora's {models} weights are not installed "
            f"(use auto{f' or {others}' if others else ''})"
        )
    skipped = [c for c in missing if options.index(c) < options.index(chosen)]
    notes = [f"restora's {c.model} weights are not installed: used {chosen.name}" for c in skipped]
    return chosen, notes

"""A tiny name -> object registry (timm style): duplicates raise, unknown names suggest matches."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


def unknown_name(kind: str, name: str, known: Iterable[str]) -> KeyError:
    """The ``KeyError`` for an unknown ``name`` of a ``kind``: close matches, then all known.

    >>> unknown_name("stage", "analyse", ["analyze", "inpaint"]).args[0]
    "unknown stage 'analyse'; did you mean 'analyze'? (known: analyze, inpaint)"
    """
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return KeyError(f"unknown {kind} {name!r}{hint} (known: {', '.join(names) or 'none'})")


class Registry(Generic[T]):
    """Named objects of one kind (models, stages, methods).

    >>> methods = Registry("inpaint method")
    >>> @methods.register("telea")
    ... def telea(): ...
    >>> methods.get("telea") is telea
    True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        if name in self._items:
            raise KeyError(f"{self.kind} {name!r} is already registered")
        self._items[name] = obj

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise unknown_name(self.kind, name, self._items) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)

"""Turn restora's errors into one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1  # some inputs failed
EXIT_ERROR = 2  # bad usage or unreadable input: nothing done


def fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    print(f"restora: error: {message}", file=sys.stderr)
    return typer.Exit(code)


def friendly_errors(func: F) -> F:
    """Decorator: RestoraError / ValueError / KeyError / OSError -> ``restora: error: ...``.

    Set ``RESTORA_DEBUG=1`` to see the traceback instead.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from restora.core.errors import RestoraError

        if os.environ.get("RESTORA_DEBUG"):
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (RestoraError, ValueError, OSError) as exc:
            raise fail(str(exc)) from None
        except KeyError as exc:
            raise fail(str(exc.args[0]) if exc.args else "unknown key") from None
        except MemoryError:
            raise fail("out of memory: lower --memory-mb or use --tile") from None

    return wrapper  # type: ignore[return-value]

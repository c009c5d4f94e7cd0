"""Safe output files: never replace an input, never clobber without permission, never half-write.

Every file restora writes goes through `atomic_write_bytes`: the data goes to a temporary file
in the target's folder, is fsync'ed, then moved into place with ``os.replace`` (or, without
``overwrite``, hard-linked, which fails if the name appeared meanwhile). A crash leaves either
the old file or the new one, and no temporary file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from restora.core.errors import ImageWriteError, UnsafeOutputError

PathLike = str | os.PathLike


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def check_output_path(
    path: PathLike, *, overwrite: bool = False, protected: Iterable[PathLike] = ()
) -> Path:
    """Return ``Path(path)`` if it may be written; raise `UnsafeOutputError` otherwise.

    Refused: ``path`` is the same file as any ``protected`` path (symlinks, hard links,
    ``./`` spellings included) -- even with ``overwrite`` -- or it exists and ``overwrite`` is
    False. Raises `ImageWriteError` when ``path`` is a directory.
    """
    target = Path(path)
    for other in protected:
        if _same_file(target, Path(other)):
            raise UnsafeOutputError(
                f"refusing to write '{target}': it is one of the inputs ('{os.fspath(other)}')"
            )
    if target.is_dir():
        raise ImageWriteError(f"cannot write '{target}': it is a directory")
    if not overwrite and (target.exists() or target.is_symlink()):
        raise UnsafeOutputError(
            f"refusing to overwrite '{target}': the file exists (allow overwriting to replace it)"
        )
    return target


def _open_temp(folder: Path, name: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = folder / f".{name[:40]}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temp, flags, 0o666), temp  # the umask applies, like a normal file
        except FileExistsError:
            continue
    raise ImageWriteError(f"cannot create a temporary file in '{folder}'")


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _move_into_place(temp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        with contextlib.suppress(OSError):  # keep the permissions of the file being replaced
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # atomic and never clobbers
    except FileExistsError:
        raise UnsafeOutputError(f"refusing to overwrite '{target}': the file exists") from None
    except OSError:  # no hard links on this file system: check, then replace
        if target.exists() or target.is_symlink():
            raise UnsafeOutputError(f"refusing to overwrite '{target}': the file exists") from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def atomic_write_bytes(
    path: PathLike, data: bytes, *, overwrite: bool = True, protected: Iterable[PathLike] = ()
) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename); return the path.

    Parent folders are created. Raises `UnsafeOutputError` (see `check_output_path`) before
    anything is written, and `ImageWriteError` when the system refuses the write; in every
    failure case no temporary file is left behind and an existing file is unchanged.
    """
    target = check_output_path(path, overwrite=overwrite, protected=protected)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImageWriteError(f"cannot create folder '{folder}': {exc.strerror or exc}") from None
    fd, temp = _open_temp(folder, target.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _move_into_place(temp, target, overwrite)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise ImageWriteError(f"cannot write '{target}': {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)
    return target


def atomic_write_text(
    path: PathLike,
    text: str,
    *,
    overwrite: bool = True,
    protected: Iterable[PathLike] = (),
    encoding: str = "utf-8",
) -> Path:
    """`atomic_write_bytes` for text (UTF-8 by default)."""
    return atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite, protected=protected)

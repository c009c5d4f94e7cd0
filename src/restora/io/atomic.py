"""Safe output files: never replace an input, never clobber without permission, never half-write.

Every file restora writes goes through `atomic_write_bytes`: the data goes to a temporary file
in the target's folder, is fsync'ed, then moved into place with ``os.replace`` (or, without
``overwrite``, hard-linked, which fails if the name appeared meanwhile). An error leaves either
the old file or the new one, and no temporary file; a process killed mid-write (SIGKILL, power
loss) can leave its temporary file, named ``.<name>.<random hex>.tmp`` (`is_temp_name`), but
never a partial file under the final name. A caller that wants to clean such leftovers later
picks the name first (`temp_path_for`), records it, and passes it as ``temp``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from restora.core.errors import ImageWriteError, UnsafeOutputError

PathLike = str | os.PathLike

_TEMP_NAME = re.compile(r"^\..*\.[0-9a-f]{12,24}\.tmp$")


def temp_path_for(target: PathLike) -> Path:
    """A fresh temporary name next to ``target``: ``.<name>.<24 random hex>.tmp``."""
    target = Path(target)
    return target.parent / f".{target.name[:40]}.{secrets.token_hex(12)}.tmp"


def is_temp_name(name: str) -> bool:
    """True for names `atomic_write_bytes` gives its temporary files."""
    return bool(_TEMP_NAME.match(name))


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


def _open_temp(target: Path, temp: Path | None) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(1 if temp is not None else 100):
        path = temp if temp is not None else temp_path_for(target)
        try:
            return os.open(path, flags, 0o666), path  # the umask applies, like a normal file
        except FileExistsError:
            continue
        except OSError as exc:
            raise ImageWriteError(f"cannot write '{target}': {exc.strerror or exc}") from exc
    raise ImageWriteError(f"cannot create a temporary file in '{target.parent}'")


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
    path: PathLike,
    data: bytes,
    *,
    overwrite: bool = True,
    protected: Iterable[PathLike] = (),
    temp: PathLike | None = None,
) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename); return the path.

    Parent folders are created. ``temp``: the temporary file's path (same folder; it must not
    exist), default a fresh `temp_path_for` name. Raises `UnsafeOutputError` (see
    `check_output_path`) before anything is written, and `ImageWriteError` when the system
    refuses the write (full disk, read-only folder: the message names the cause); in every
    failure case no temporary file is left behind and an existing file is unchanged.
    """
    target = check_output_path(path, overwrite=overwrite, protected=protected)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImageWriteError(f"cannot create folder '{folder}': {exc.strerror or exc}") from exc
    if temp is not None and os.path.dirname(os.path.abspath(temp)) != os.path.abspath(folder):
        raise ValueError(f"temp file {temp} must be in the target's folder {folder}")
    fd, temp = _open_temp(target, None if temp is None else Path(temp))
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

"""Locks in an output folder, so that several restora runs can share it safely.

Two kinds, both kernel ``flock`` locks on files in ``OUTDIR/.restora/`` (released by the kernel
when a process dies, so a crash never leaves a lock that blocks the next run):

- `FolderLock`: exclusive, held only around a read-modify-write of the manifest (milliseconds).
- `RunToken`: one file per running run (``runs/<id>``), locked for the run's whole life. A claim
  on an input names its run; the claim is live while that run's token is locked, and stale
  (its run was killed) otherwise: `run_alive` tells which.

On systems without ``fcntl`` (Windows) the locks do nothing: one run per folder there.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from pathlib import Path

from restora.core.errors import RestoraError

STATE_DIR = ".restora"  # restora's bookkeeping inside an output folder
_LOCK_NAME = "lock"
_RUNS_DIR = "runs"

try:  # pragma: no cover - the import only fails on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class FolderUnwritableError(RestoraError):
    """restora cannot create its files in the output folder (read-only, permissions, full)."""


def state_dir(outdir: Path) -> Path:
    """``OUTDIR/.restora``, created on first use; `FolderUnwritableError` when it cannot be."""
    folder = Path(outdir) / STATE_DIR
    try:
        (folder / _RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderUnwritableError(
            f"cannot write to output folder '{outdir}': {exc.strerror or exc}"
        ) from exc
    return folder


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise FolderUnwritableError(
            f"cannot write to output folder '{path.parent.parent}': {exc.strerror or exc}"
        ) from exc


def _flock(fd: int, *, blocking: bool) -> bool:
    """Lock ``fd`` exclusively; False when ``blocking`` is False and another holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError as exc:
        raise RestoraError(
            f"cannot lock a file in the output folder: {exc.strerror or exc}"
        ) from exc
    return True


class FolderLock:
    """``with FolderLock(outdir):`` -- exclusive access to the folder's manifest.

    Not re-entrant: never nest two on one folder in one thread.
    """

    def __init__(self, outdir: Path) -> None:
        self.path = state_dir(outdir) / _LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        fd = _open(self.path)
        try:
            _flock(fd, blocking=True)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the flock
            self._fd = None


class RunToken:
    """This run's presence in ``outdir``: a locked file ``.restora/runs/<id>`` holding the pid,
    host and start time (for messages). `release` (or process death) ends it."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = Path(outdir)
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.path = Path(outdir) / STATE_DIR / _RUNS_DIR / self.id
        with FolderLock(outdir):  # run_alive (under the lock) never sees it unlocked
            for other in (state_dir(outdir) / _RUNS_DIR).iterdir():
                run_alive(outdir, other.name)  # removes the tokens of killed runs
            self._fd: int | None = _open(self.path)
            _flock(self._fd, blocking=True)  # a fresh name: nobody else holds it
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        with contextlib.suppress(OSError):
            os.write(self._fd, json.dumps(info).encode())

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            with FolderLock(self.outdir):  # RunToken() makes runs/ under the lock too
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
                with contextlib.suppress(OSError):
                    self.path.parent.rmdir()  # only when no other run is in the folder
        except RestoraError:
            pass  # the folder went away or read-only: the kernel still drops the lock below
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunToken:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def run_alive(outdir: Path, run_id: str | None) -> bool:
    """True while the run ``run_id`` holds its token in ``outdir``. A dead run's token file is
    removed on the way (call it under `FolderLock`)."""
    if not run_id or "/" in run_id or run_id.startswith("."):
        return False
    path = Path(outdir) / STATE_DIR / _RUNS_DIR / run_id
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        if not _flock(fd, blocking=False):
            return True
        with contextlib.suppress(OSError):
            os.unlink(path)  # stale: its run was killed
        return False
    finally:
        os.close(fd)


def run_description(outdir: Path, run_id: str | None) -> str:
    """ "pid 1234 on host" for messages, from the run's token file (or the id)."""
    path = Path(outdir) / STATE_DIR / _RUNS_DIR / str(run_id)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return f"run {run_id}"

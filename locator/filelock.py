"""Exclusive locks for read-modify-write of a file, so that two writers never lose an update.

The lock is `flock` on a sidecar file beside the target (`.NAME.lock`): never the target itself,
which an atomic write replaces by rename. The kernel releases it when its holder exits, even
on SIGKILL, so a crash never leaves the file locked. A writer that does not take the lock
(an editor, another tool) is caught by comparing the file's digest under the lock with the
one the update started from: `ChangedMeanwhile` then refuses to write. A writer waits for the
lock at most LOCK_WAIT_S, saying once that it waits (any local user who can open the lock file
could otherwise hold every import forever), then gives up with `LockBusy`, writing nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locator.atomic import resolve_target
from locator.errors import LocatorError

log = logging.getLogger("locator.lock")
LOCK_WAIT_S = 60.0


class WriteConflict(LocatorError):
    """Another writer is in the way; nothing was written (the CLI's exit code 3)."""


class ChangedMeanwhile(WriteConflict):
    """The file changed under an update without taking the lock; nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: changed by another program meanwhile; nothing written, run it again")
        self.path = path


class LockBusy(WriteConflict):
    """Another program held the lock for longer than the wait allows."""

    def __init__(self, path: Path, lock: Path, waited_s: float) -> None:
        super().__init__(
            f"{path}: another program has held its lock ({lock}) for {waited_s:.0f} s; nothing written, "
            "run it again when that program has finished"
        )
        self.path = path


def lock_path(path: Path) -> Path:
    target = resolve_target(path)  # two names for one file share one lock
    return target.with_name(f".{target.name}.lock")


@contextmanager
def exclusive(path: Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of `path`, waiting at most `wait_s` (default LOCK_WAIT_S) for its holder."""
    lock = lock_path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError as denied:  # a lock file made by another user: reading is enough for flock
            try:
                fd = os.open(lock, os.O_RDONLY)
            except FileNotFoundError:  # no lock file, and the folder refuses to hold one
                raise denied from None
    except OSError as exc:  # name the file the user knows, and why its lock matters
        raise OSError(exc.errno, exc.strerror, f"{path} (its lock file {lock})") from exc
    try:
        _acquire(fd, path, lock, LOCK_WAIT_S if wait_s is None else wait_s)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, path: Path, lock: Path, wait_s: float) -> None:
    start = time.monotonic()
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - start
            if waited >= wait_s:
                raise LockBusy(path, lock, waited) from None
            if not said:
                log.warning("%s is being changed by another program; waiting up to %g s for it", path, wait_s)
                said = True
            time.sleep(0.05)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes ("" when it does not exist)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return ""


def check_unchanged(path: Path, digest: str) -> None:
    """Raise ChangedMeanwhile unless `path` still has the digest it was read with."""
    if file_digest(path) != digest:
        raise ChangedMeanwhile(path)

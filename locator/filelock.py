"""Exclusive locks for read-modify-write of a file, so that two writers never lose an update.

The lock is `flock` on a sidecar file beside the target (`.NAME.lock`): never the target itself,
which an atomic write replaces by rename. The kernel releases it when its holder exits, even
on SIGKILL, so a crash never leaves the file locked. A writer that does not take the lock
(an editor, another tool) is caught by comparing the file's digest under the lock with the
one the update started from: `ChangedMeanwhile` then refuses to write.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locator.atomic import resolve_target
from locator.errors import LocatorError


class ChangedMeanwhile(LocatorError):
    """The file changed under an update without taking the lock; nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: changed by another program meanwhile; nothing written, run it again")
        self.path = path


def lock_path(path: Path) -> Path:
    target = resolve_target(path)  # two names for one file share one lock
    return target.with_name(f".{target.name}.lock")


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of `path` (waits for the current holder)."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:  # a lock file made by another user: reading is enough for flock
            fd = os.open(lock, os.O_RDONLY)
    except OSError as exc:  # the folder refuses: name the file the user knows, not the lock
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


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

"""The one way files are written: atomically, keeping the target's mode, owner and symlink.

A file is written under a temporary name in its own folder, flushed to disk, given the mode
(and, where allowed, the owner) of the file it replaces, renamed over it, and the folder is
flushed too: a crash leaves either the old or the new file, never a mix. A symlink is written
*through* (its target is replaced, the link stays). A new file gets the mode a plain `open`
gives (0666 minus the umask). Every OSError names the file the caller asked for, never a
temporary name.

A map write creates a missing folder and, like `mv`, replaces a read-only file (the folder's
permission is what counts). An export or an import into the registry (`strict=True`) is a person
naming a file by hand, where either usually means a typo or a file someone protected: it refuses
a folder that does not exist and a target that is not writable. As root `os.access` always says writable, so a target
with no write bit set at all (e.g. 0444) is refused too.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locator.errors import InvalidParameter


def resolve_target(path: Path) -> Path:
    """The file a write to `path` really replaces: symlinks followed (also a dangling one)."""
    return Path(os.path.realpath(path))


def _check_strict(path: Path, target: Path) -> None:
    if target.exists():
        mode = target.stat().st_mode
        if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise InvalidParameter(
                "FILE",
                f"{path} is read-only (mode {stat.filemode(mode)}): make it writable first, or choose another name",
            )
    elif not target.parent.is_dir():
        raise InvalidParameter(
            "FILE", f"folder {path.parent} does not exist: create it first, or choose another folder"
        )


@contextmanager
def replacing(path: Path, *, strict: bool = False) -> Iterator[Path]:
    """Yield a fresh temporary path for a writer (pandas, pyogrio, …); on success it replaces
    `path` atomically. On any error nothing is changed and the temporary file is removed.
    `strict`: refuse a read-only target and a missing folder (see the module docstring)."""
    target = resolve_target(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    if target.exists() and not target.is_file():  # never rename over a device or a pipe
        raise InvalidParameter(str(path), "is not a regular file (a device or a pipe); give a file name")
    if strict:
        _check_strict(path, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _named(exc, path) from exc
    tmp = workdir / target.name  # same name and extension: writers that go by the suffix are happy
    try:
        try:
            yield tmp
            _commit(tmp, target)
        except OSError as exc:
            raise _named(exc, path) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def atomic_write(path: Path, data: bytes, *, strict: bool = False) -> None:
    """Replace `path` with `data` (see the module docstring)."""
    with replacing(path, strict=strict) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as in open()
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def _commit(tmp: Path, target: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        try:
            old = target.stat()
        except FileNotFoundError:
            pass
        else:
            _keep_owner(fd, old, target)
            os.fchmod(fd, old.st_mode & 0o7777)  # after chown, which may clear set-id bits
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(target)
    _fsync_folder(target.parent)


def _keep_owner(fd: int, old: os.stat_result, path: Path) -> None:
    """The old owner and group. Only root may give a file away, so another writer becomes the
    owner (as with any editor that saves by rename); the group decides who else may read the
    file (a server running as another user), so a writer who cannot keep it writes nothing."""
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:
        try:
            os.fchown(fd, -1, old.st_gid)  # a group we belong to is still allowed
        except PermissionError:
            raise InvalidParameter(
                "FILE",
                f"{path} belongs to group {_group_name(old.st_gid)}, which this user is not in: writing it would "
                "change its group and lock out its readers; nothing written (run as a member of that group)",
            ) from None


def _group_name(gid: int) -> str:
    try:
        import grp

        return f"{grp.getgrgid(gid).gr_name!r}"
    except (KeyError, ImportError):
        return str(gid)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # some file systems refuse to open folders; the rename is done anyway
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _named(exc: OSError, path: Path) -> OSError:
    """The same error, naming the file the caller asked for (not a temporary name)."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path))

"""What a map build was made from: `.build.json` beside the pages, so staleness is decided by
content, never by modification times (a registry restored with `cp -p`, rsync or tar keeps an
old mtime but must still be rebuilt; a touched but unchanged one must not).

The manifest records what the registry was — the SHA-256 of a registry file, or a store's head
change sequence and the time of that change — the SHA-256 of the holiday table, the build code's
version (the locator version plus a hash of this package's code, templates and assets) and a
hash of the build options. It is written last by every build, also when no page changed, and
compared like any page by `build-maps --check`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from locator import __version__
from locator.filelock import file_digest

if TYPE_CHECKING:
    from locator.store import Store

NAME = ".build.json"
_CODE = Path(__file__).resolve().parent  # locator/maps: page templates, static/, vendor/


@cache
def code_version() -> str:
    """Hash of every file of locator/maps (Python, our static files, vendored assets)."""
    h = hashlib.sha256()
    for f in sorted(p for p in _CODE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        if f.suffix == ".pyc":
            continue
        h.update(f.relative_to(_CODE).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:16]


def file_identity(registry: Path) -> dict[str, Any]:
    return {"registry_sha256": file_digest(registry)}


def store_identity(seq: int, at: str) -> dict[str, Any]:
    """A store at change `seq`, made at `at` (the time tells apart two stores at one seq)."""
    return {"registry_seq": seq, "registry_changed_at": at}


def head_identity(store: Store) -> dict[str, Any]:
    """The store's identity now (its head change; cheap at any size)."""
    seq = store.head()
    last = store.changes(seq - 1, 1) if seq else []
    return store_identity(seq, last[0].at if last and last[0].seq == seq else "")


def manifest(registry: dict[str, Any], holidays_digest: str, tianditu_key: str | None) -> bytes:
    doc = {
        "locator": __version__,
        "code": code_version(),
        **registry,
        "holidays_sha256": holidays_digest,
        "options": hashlib.sha256((tianditu_key or "").encode()).hexdigest()[:16],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def expected(registry: dict[str, Any], holidays: Path, tianditu_key: str | None) -> bytes:
    """The manifest a build would write now (`registry`: file_identity or head_identity)."""
    return manifest(registry, file_digest(holidays), tianditu_key)


def recorded(out_dir: Path) -> bytes | None:
    try:
        return (out_dir / NAME).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None

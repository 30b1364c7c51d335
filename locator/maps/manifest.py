"""What a map build was made from: `.build.json` beside the pages, so staleness is decided by
content, never by modification times (a registry restored with `cp -p`, rsync or tar keeps an
old mtime but must still be rebuilt; a touched but unchanged one must not).

The manifest records the SHA-256 of the registry and of the holiday table, the build code's
version (the locator version plus a hash of this package's code, templates and assets) and a
hash of the build options. It is written last by every build, also when no page changed, and
compared like any page by `build-maps --check`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import orjson

from locator import __version__
from locator.filelock import file_digest

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


def manifest(registry_digest: str, holidays_digest: str, tianditu_key: str | None) -> bytes:
    doc = {
        "locator": __version__,
        "code": code_version(),
        "registry_sha256": registry_digest,
        "holidays_sha256": holidays_digest,
        "options": hashlib.sha256((tianditu_key or "").encode()).hexdigest()[:16],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def expected(registry: Path, holidays: Path, tianditu_key: str | None) -> bytes:
    """The manifest a build would write now."""
    return manifest(file_digest(registry), file_digest(holidays), tianditu_key)


def recorded(out_dir: Path) -> bytes | None:
    try:
        return (out_dir / NAME).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None

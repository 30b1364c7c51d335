"""The registry: a GeoJSON FeatureCollection on disk, loaded into Station records.

Location: the path given (the CLI and the API resolve `--registry` / $LOCATOR_REGISTRY with
locator.where), else the shipped data/stations.geojson.
Writes are atomic (locator.atomic: a crash never leaves a half-written registry) and every
read-modify-write goes through `update_registry`, which holds the registry's lock
(locator.filelock) so that two writers never lose an update.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import orjson

from locator.atomic import atomic_write
from locator.errors import Problem, RegistryInvalid, StationNotFound
from locator.filelock import check_unchanged, exclusive, file_digest
from locator.model import Station
from locator.shipped import shipped
from locator.validate import check_collection, duplicate_ids

__all__ = ["DEFAULT_REGISTRY", "Registry", "atomic_write", "load_registry", "save_registry", "update_registry"]

DEFAULT_REGISTRY = shipped("stations.geojson")


def registry_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The path given, else the shipped registry; the environment is read at the edge (locator.where)."""
    return Path(explicit) if explicit else DEFAULT_REGISTRY


@dataclass
class Registry:
    stations: list[Station]
    path: Path | None = None
    version: str = ""
    warnings: list[Problem] = field(default_factory=list)
    digest: str = ""  # SHA-256 of the file's bytes as loaded

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.stations}

    def get(self, station_id: str) -> Station:
        try:
            return self.by_id[station_id]
        except KeyError:
            raise StationNotFound(station_id) from None


_BOM: Final = b"\xef\xbb\xbf"


def read_json(path: Path) -> tuple[object, bytes]:
    """The parsed file and its bytes. A UTF-8 BOM (Notepad, Excel) is skipped; bytes that are
    not UTF-8 are reported by offset (orjson's own message says "str is not valid UTF-8")."""
    raw = path.read_bytes()
    text = memoryview(raw)[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        return orjson.loads(text), raw
    except orjson.JSONDecodeError as exc:
        try:
            bytes(text).decode("utf-8")
        except UnicodeDecodeError as bad:
            offset = bad.start + (len(raw) - len(text))
            reason = f"not UTF-8 text (byte {offset} is {raw[offset : offset + 1]!r}; save it as UTF-8)"
        else:
            reason = f"not valid JSON: {exc}"
        raise RegistryInvalid(str(path), [Problem(str(path), "file", reason)]) from exc


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while millions of acyclic objects are built (halves load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_registry(path: Path) -> tuple[list[Station], list[Problem], bytes]:
    """Every problem of a registry file (errors and warnings), without raising on them; the
    file's SHA-256 digest comes third."""
    if not path.exists():
        return [], [Problem(str(path), "file", "does not exist")], b""
    with gc_paused():
        try:
            doc, raw = read_json(path)
        except RegistryInvalid as exc:
            return [], exc.problems, b""
        digest = hashlib.sha256(raw).digest()
        del raw
        stations, problems = check_collection(str(path), doc)
    return stations, problems, digest


def load_registry(path: Path | None = None) -> Registry:
    """Load and validate; raises RegistryInvalid listing every error when any is found."""
    path = registry_path(path)
    stations, problems, digest = check_registry(path)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise RegistryInvalid(str(path), problems)
    warnings = [p for p in problems if p.warning]
    return Registry(stations, path, digest.hex()[:16], warnings, digest.hex())


def dump_geojson(stations: Iterable[Station]) -> bytes:
    """One feature per line: compact, and diffable when staff keep the file in git."""
    lines = [orjson.dumps(s.feature()) for s in stations]
    body = b",\n".join(lines)
    return b'{"type":"FeatureCollection","features":[\n' + body + b"\n]}\n"


def save_registry(path: Path, stations: Iterable[Station], *, strict: bool = False) -> None:
    """Write the registry atomically; `strict` (every update) refuses a read-only file or a missing folder."""
    atomic_write(path, dump_geojson(stations), strict=strict)


def update_registry(
    path: Path, change: Callable[[list[Station]], list[Station]], *, read_existing: bool = True
) -> list[Station]:
    """Read-modify-write under the registry's exclusive lock: `change` gets the stations on disk
    (none when the file is missing or `read_existing` is false) and returns the new list, which
    is saved. Raises ChangedMeanwhile, writing nothing, when a program that does not take the lock
    changed the file in between."""
    with exclusive(path):
        if read_existing and path.exists():
            reg = load_registry(path)
            existing, digest = reg.stations, reg.digest
        else:
            existing, digest = [], file_digest(path)
        new = change(existing)
        clashes = duplicate_ids([(f"{path}:{s.id}", s.id) for s in new])
        if clashes:  # e.g. `xc-01` imported beside `XC-01`: the file would no longer load
            raise RegistryInvalid(str(path), clashes)
        check_unchanged(path, digest)
        save_registry(path, new, strict=True)  # a registry made read-only is protected
    return new

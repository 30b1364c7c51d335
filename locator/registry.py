"""The registry: a GeoJSON FeatureCollection on disk, loaded into Station records.

Location: an explicit path, else $LOCATOR_REGISTRY, else the shipped data/stations.geojson.
Writes are atomic (temporary file in the same folder, fsync, rename): a crash never leaves a
half-written registry.
"""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from locator.errors import Problem, RegistryInvalid, StationNotFound
from locator.model import Station
from locator.validate import check_collection

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "stations.geojson"


def registry_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("LOCATOR_REGISTRY")
    return Path(env) if env else DEFAULT_REGISTRY


@dataclass
class Registry:
    stations: list[Station]
    path: Path | None = None
    version: str = ""
    warnings: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.stations}

    def get(self, station_id: str) -> Station:
        try:
            return self.by_id[station_id]
        except KeyError:
            raise StationNotFound(station_id) from None


def read_json(path: Path) -> tuple[object, bytes]:
    raw = path.read_bytes()
    try:
        return orjson.loads(raw), raw
    except orjson.JSONDecodeError as exc:
        raise RegistryInvalid(str(path), [Problem(str(path), "file", f"not valid JSON: {exc}")]) from exc


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
    version = digest.hex()[:16]
    return Registry(stations, path, version, [p for p in problems if p.warning])


def dump_geojson(stations: Iterable[Station]) -> bytes:
    """One feature per line: compact, and diffable when staff keep the file in git."""
    lines = [orjson.dumps(s.feature()) for s in stations]
    body = b",\n".join(lines)
    return b'{"type":"FeatureCollection","features":[\n' + body + b"\n]}\n"


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_registry(path: Path, stations: Iterable[Station]) -> None:
    atomic_write(path, dump_geojson(stations))

"""Registry stores: where the registry lives when it has history (see base.Store).

`--registry` names a SQLite file (`*.sqlite`, `*.db`), a `postgresql://` URL, or a GeoJSON file
(`*.geojson`, `*.json`, served and imported into without revisions). `kind_of` tells which.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final, Literal

from locator.model import Station
from locator.store.base import (
    Change,
    CommitResult,
    Current,
    Report,
    Revision,
    RevisionConflict,
    Store,
    StoreError,
    User,
)
from locator.store.sqlite import SqliteStore

__all__ = [
    "Change",
    "CommitResult",
    "Current",
    "Report",
    "Revision",
    "RevisionConflict",
    "SqliteStore",
    "Store",
    "StoreError",
    "User",
    "create_store",
    "kind_of",
    "open_store",
]

Kind = Literal["sqlite", "postgresql", "geojson"]
SQLITE_SUFFIXES: Final = (".sqlite", ".sqlite3", ".db")


def kind_of(value: str | Path) -> Kind:
    text = str(value)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    return "sqlite" if Path(text).suffix.lower() in SQLITE_SUFFIXES else "geojson"


def open_store(value: str | Path, *, create: bool = False) -> Store:
    """The store named by `value`; StoreError when it is missing (unless `create`) or is not one."""
    kind = kind_of(value)
    if kind == "postgresql":
        raise StoreError("PostgreSQL registries are not supported by this version; use a .sqlite file")
    if kind == "geojson":
        raise StoreError(f"{value}: a GeoJSON file has no history; make a store with `locator init --from {value}`")
    return SqliteStore(Path(value), create=create)


def create_store(value: str | Path, stations: Iterable[Station], *, by: str, why: str) -> tuple[Store, CommitResult]:
    """A new store holding `stations` as their first revisions (one change set). Refuses a
    store that already has stations."""
    store = open_store(value, create=True)
    if store.head() > 0:
        raise StoreError(f"{value}: already a store with {store.count()} stations; nothing was changed")
    changes = [Change(s.id, s, "create", expect="new") for s in stations]
    return store, store.commit(changes, by=by, why=why)

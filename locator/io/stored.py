"""A store's current features read as stored (canonical Feature JSON), in batches: what
`validate`, `export` and the import planner stream through instead of 10⁶ Station objects.

A SQLite store is read with one SELECT on its own read-only connection: in WAL mode one
statement sees one snapshot, so an export or a check never mixes two states of the registry
while writers go on. Other stores are read through the `Store` interface.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Final

from locator.model import Station
from locator.store import SqliteStore, Store, StoreError
from locator.store.features import station_from_json, to_json

BATCH: Final = 4096
#: Ids per `IN (…)` query (SQLite allows 32,766 variables; fewer keep each query cheap).
IDS_PER_QUERY: Final = 900


def _connect(store: SqliteStore) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{store.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{store.path}: cannot be read ({exc})") from None


@contextmanager
def snapshot(store: Store) -> Iterator[Callable[[], Iterator[tuple[str, bytes]]]]:
    """A function streaming (id, Feature JSON) of every current station, in the order they were
    first added; every call within the `with` block sees the same state of the store (one read
    transaction), so an export's passes agree with each other."""
    if not isinstance(store, SqliteStore):
        yield lambda: ((s.id, to_json(s)) for s in store.stations())
        return
    con = _connect(store)
    try:
        con.execute("BEGIN")
        yield lambda: _features(con)
    finally:
        con.close()  # ends the read transaction


def _features(con: sqlite3.Connection) -> Iterator[tuple[str, bytes]]:
    cur = con.execute("SELECT id, CAST(feature AS BLOB) FROM stations ORDER BY rowid")  # bytes: no decoding
    while rows := cur.fetchmany(BATCH):
        yield from rows


def stored_features(store: Store) -> Iterator[tuple[str, bytes]]:
    """(id, Feature JSON) of every current station, in the order they were first added."""
    with snapshot(store) as features:
        yield from features()


class StoreCurrent:
    """`locator.import_plan.Current` over a store: looks up the file's ids by key, and (for
    `--mode replace`) walks the ids of the rest, parsing only the stations it returns."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, ids: Collection[str]) -> dict[str, Station]:
        if not isinstance(self.store, SqliteStore):
            return {i: cur.station for i in ids if (cur := self.store.get(i)) is not None}
        out: dict[str, Station] = {}
        wanted = list(ids)
        con = _connect(self.store)
        try:
            for start in range(0, len(wanted), IDS_PER_QUERY):
                chunk = wanted[start : start + IDS_PER_QUERY]
                sql = f"SELECT id, feature FROM stations WHERE id IN ({','.join('?' * len(chunk))})"
                for sid, feature in con.execute(sql, chunk):
                    out[sid] = station_from_json(feature)
        finally:
            con.close()
        return out

    def others(self, ids: Collection[str]) -> Iterator[Station]:
        for sid, feature in stored_features(self.store):
            if sid not in ids:
                yield station_from_json(feature)

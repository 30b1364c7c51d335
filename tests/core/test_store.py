"""The SQLite store: change sets, revisions, the append-only log, conflicts, clashes, backup."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from locator.errors import RegistryInvalid, StationNotFound
from locator.store import Change, RevisionConflict, StoreError, create_store, kind_of, open_store
from locator.store.features import changed_fields
from tests.conftest import station


def test_kinds_of_registry_values() -> None:
    assert kind_of("var/registry.sqlite") == "sqlite" and kind_of("x.DB") == "sqlite"
    assert kind_of("postgresql://u@h/db") == "postgresql"
    assert kind_of("data/stations.geojson") == "geojson"


def test_revisions_change_sets_and_history(tmp_path: Path) -> None:
    a, b = station("a"), station("b", 116.5)
    store, first = create_store(tmp_path / "r.sqlite", [a, b], by="init", why="start")
    assert [(r.station_id, r.rev, r.seq) for r in first.revisions] == [("a", 1, 1), ("b", 1, 2)]
    moved = dataclasses.replace(a, lon=116.41, name="新")
    res = store.commit([Change("a", moved, "edit", if_rev=1)], by="张三", why="搬家")
    assert res.latest == 3 and store.head() == 3
    hist = store.history("a")
    assert [(r.rev, r.by, r.why, r.op) for r in hist] == [(1, "init", "start", "create"), (2, "张三", "搬家", "edit")]
    assert changed_fields(hist[1].before, hist[1].after) == ["name", "geometry"]
    got = store.get("a")
    assert got is not None and got.station == moved and got.rev == 2
    with pytest.raises(RevisionConflict, match="expected revision 1, the station is at revision 2"):
        store.commit([Change("a", a, "edit", if_rev=1)], by="李四", why="stale")
    store.commit([Change("a", None, "delete")], by="x", why="gone")
    assert store.get("a") is None and [c.feed_op for c in store.changes(0, 10)][-1] == "delete"
    again = store.commit([Change("a", a, "create", expect="new")], by="x", why="back")
    assert again.revisions[0].rev == 4  # history of an id continues after a delete


def test_one_bad_change_rolls_back_the_whole_set(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", [station("a")], by="init", why="start")
    with pytest.raises(RegistryInvalid) as err:
        store.commit(
            [Change("b", station("b", 116.5), "import"), Change("A", station("A", 116.6), "import")], by="i", why="x"
        )
    assert "only in case" in str(err.value.problems[0])
    with pytest.raises(StationNotFound):
        store.commit([Change("c", station("c", 116.5), "import"), Change("zz", None, "delete")], by="i", why="x")
    assert store.count() == 1 and store.head() == 1


def test_codes_may_swap_within_a_change_set_but_not_clash(tmp_path: Path) -> None:
    a, b = dataclasses.replace(station("a"), code="XC-001"), dataclasses.replace(station("b", 116.5), code="XC-002")
    store, _ = create_store(tmp_path / "r.sqlite", [a, b], by="init", why="start")
    swap = [
        Change("a", dataclasses.replace(a, code="XC-002"), "edit"),
        Change("b", dataclasses.replace(b, code="XC-001"), "edit"),
    ]
    assert len(store.commit(swap, by="x", why="swap").revisions) == 2
    with pytest.raises(RegistryInvalid, match="problem"):
        store.commit([Change("a", dataclasses.replace(a, code="XC-001"), "edit")], by="x", why="clash")


def test_the_revision_log_refuses_update_and_delete(tmp_path: Path) -> None:
    create_store(tmp_path / "r.sqlite", [station("a")], by="init", why="start")
    con = sqlite3.connect(tmp_path / "r.sqlite", isolation_level=None)
    for sql in ("UPDATE revisions SET why = 'rewritten'", "DELETE FROM revisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert con.execute("SELECT why FROM revisions").fetchall() == [("start",)]


def test_missing_or_foreign_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here; create it with `locator init"):
        open_store(tmp_path / "none.sqlite")
    (tmp_path / "junk.sqlite").write_text("not a database")
    with pytest.raises(StoreError, match="not a registry store"):
        open_store(tmp_path / "junk.sqlite")


def test_backup_is_a_working_store(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", [station("a"), station("b", 116.5)], by="init", why="start")
    store.backup(tmp_path / "copy.sqlite")
    copy = open_store(tmp_path / "copy.sqlite")
    assert copy.count() == 2 and copy.head() == 2 and [s.id for s in copy.stations()] == ["a", "b"]


def test_a_revoked_name_may_be_added_again_with_a_new_token(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", [], by="init", why="start")
    store.add_user("张三", "editor", "hash-1")
    with pytest.raises(StoreError, match="already exists"):
        store.add_user("张三", "admin", "hash-2")
    store.revoke_user("张三")
    store.add_user("张三", "admin", "hash-3")
    assert store.user_for_token("hash-1") is None
    again = store.user_for_token("hash-3")
    assert again is not None and again.role == "admin"

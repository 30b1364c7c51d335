"""Incremental apply: a Locator brought up to date change by change answers exactly what one
built from scratch on the final stations answers, and never disturbs the Locator it came from."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import service
from locator.errors import StationNotFound
from locator.holidays import load_holidays
from locator.registry import Registry
from locator.service import Locator
from locator.store import Change, Store, create_store
from locator.tree_snapshot import load_tree
from tests.conftest import station

CAL = load_holidays()
AT = "2026-02-16T10:00:00+08:00"  # a Monday of the Spring Festival holiday (PH off applies)
HOURS = [None, "24/7", "Mo-Fr 09:00-17:00; PH off", "Mo-Su 08:00-20:00", "Sa,Su 10:00-16:00", "Mo-Su 11:00-12:00"]
TYPES = ["warm_station", "service_station", "worker_home", "mother_baby_room"]
AMENITIES = ["drinking_water", "hot_water", "toilet", "wifi"]
STATUSES = ["open", "open", "open", "temporarily_closed", "closed"]
QUERIES = [(39.95, 116.38), (39.96, 116.40), (39.94, 116.36)]

grid = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(lambda p: (116.37 + p[0] * 0.002, 39.94 + p[1] * 0.002))
content = st.fixed_dictionaries(
    {
        "where": grid,
        "type": st.sampled_from(TYPES),
        "amenities": st.lists(st.sampled_from(AMENITIES), unique=True).map(tuple),
        "opening_hours": st.sampled_from(HOURS),
        "status": st.sampled_from(STATUSES),
    }
)
# an op: (id number, content or None for a delete); ids 0..11 exist at first, 12..15 are new
ops = st.lists(st.tuples(st.integers(0, 15), st.none() | content), min_size=1, max_size=25)
batches = st.lists(st.integers(1, 6), min_size=1, max_size=6)


def make(i: int, c: dict[str, Any]) -> Any:
    lon, lat = c["where"]
    rest = {k: v for k, v in c.items() if k != "where"}
    return station(f"s{i:02d}", lon, lat, **rest)


def initial() -> list[Any]:
    return [station(f"s{i:02d}", 116.37 + i * 0.003, 39.94 + (i % 5) * 0.004, opening_hours="24/7") for i in range(12)]


def answers(loc: Locator) -> dict[str, Any]:
    """Everything a face can ask, as plain values."""
    out: dict[str, Any] = {"stations": [s for s in loc.stations], "select": loc.select(amenities=["hot_water"])}
    out["select_all"] = [loc.stations[p].id for p in loc.select(include_closed=True)]
    for lat, lon in QUERIES:
        for kw in (
            {},
            {"amenities": ["hot_water"]},
            {"station_type": "worker_home"},
            {"open_now": True},
            {"max_distance_m": 1500},
            {"open_now": True, "amenities": ["wifi"], "max_distance_m": 3000},
        ):
            res = loc.nearest(lat, lon, k=50, at=AT, **kw)  # k past n: the whole order, ties included
            out[f"all {lat} {lon} {kw}"] = [(h.station.id, round(h.distance_m or 0, 6), h.state) for h in res.hits]
            three = loc.nearest(lat, lon, k=3, at=AT, **kw).hits
            out[f"3 {lat} {lon} {kw}"] = [round(h.distance_m or 0, 6) for h in three]
    for i in range(16):
        try:
            hit = loc.station(f"s{i:02d}", AT)
            out[f"id {i}"] = (hit.station, hit.state)
        except StationNotFound:
            out[f"id {i}"] = None
    return out


def run_ops(store: Store, seq: list[tuple[int, dict[str, Any] | None]]) -> None:
    for i, c in seq:
        sid = f"s{i:02d}"
        exists = store.get(sid) is not None
        if c is None:
            if exists:
                store.commit([Change(sid, None, "delete")], by="t", why="gone")
        else:
            store.commit([Change(sid, make(i, c), "edit" if exists else "create")], by="t", why="change")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, batches)
def test_incremental_apply_answers_as_a_fresh_build(seq: list[tuple[int, Any]], sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, _ = create_store(Path(tmp) / "r.sqlite", initial(), by="init", why="start")
        loc = Locator.from_store(store, CAL)
        plain = Locator(Registry(list(store.stations()), version=str(store.head())), CAL)
        start = 0
        for size in sizes * 5:
            if start >= len(seq):
                break
            run_ops(store, seq[start : start + size])
            start += size
            news = store.changes(loc.seq, 1000)
            before = answers(loc)
            nxt, nxt_plain = loc.apply(news), plain.apply(news)
            assert answers(loc) == before  # the old Locator is untouched
            loc, plain = nxt, nxt_plain
            fresh = Locator(Registry(list(store.stations()), version=str(store.head())), CAL)
            want = answers(fresh)
            assert answers(loc) == want
            assert answers(plain) == want  # the same from a GeoJSON-style base of Station objects
            assert loc.seq == store.head() == fresh.seq
        for s in loc.stations:  # lazy records equal the store's
            cur = store.get(s.id)
            assert cur is not None and cur.station == s
        store.close()


def test_a_fresh_start_uses_the_snapshot_and_catches_up(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", initial(), by="init", why="start")
    first = Locator.from_store(store, CAL)
    snaps = list((tmp_path / "r.sqlite.columns").iterdir())
    assert len(snaps) == 1 and (snaps[0] / "lon.npy").exists()
    moved = dataclasses.replace(initial()[3], lon=116.5, opening_hours="Mo-Su 05:00-06:00")
    store.commit([Change("s03", moved, "move")], by="t", why="moved")
    store.commit([Change("s04", None, "delete")], by="t", why="gone")
    again = Locator.from_store(store, CAL)  # the snapshot at seq 12, then two changes applied
    assert [p.name for p in (tmp_path / "r.sqlite.columns").iterdir()] == [snaps[0].name]
    assert again.seq == 14 and first.seq == 12
    assert again.station("s03").station == moved and "s04" not in again.registry.by_id
    assert answers(again) == answers(Locator(Registry(list(store.stations()), version="14"), CAL))


def test_the_tree_is_saved_with_the_snapshot_and_reused_unless_damaged(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", initial(), by="init", why="start")
    built = Locator.from_store(store, CAL)
    (snap,) = (tmp_path / "r.sqlite.columns").iterdir()
    assert sorted(p.name for p in (snap / "tree").iterdir()) == [
        "data.npy", "indices.npy", "maxes.npy", "meta.json", "mins.npy", "nodes.npy",
    ]  # fmt: skip
    saved = (snap / "tree" / "nodes.npy").stat().st_mtime_ns
    reused = Locator.from_store(store, CAL)
    assert reused.index.tree is not built.index.tree and (snap / "tree" / "nodes.npy").stat().st_mtime_ns == saved
    assert answers(reused) == answers(built)
    assert reused.index.tree.indices.tolist() == built.index.tree.indices.tolist()
    (snap / "tree" / "nodes.npy").write_bytes(b"\x93NUMPY broken")  # a truncated file: built again
    assert answers(Locator.from_store(store, CAL)) == answers(built)
    assert load_tree(snap) is not None  # and saved again
    (snap / "tree" / "meta.json").write_text('{"n": 3, "m": 3, "leafsize": 16}')  # other points: built again
    assert answers(Locator.from_store(store, CAL)) == answers(built)


def test_a_snapshot_of_another_store_is_not_used(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "r.sqlite", initial(), by="init", why="start")
    Locator.from_store(store, CAL)
    store.close()
    (tmp_path / "r.sqlite").unlink()
    other, _ = create_store(tmp_path / "r.sqlite", initial()[:5], by="init", why="other")
    loc = Locator.from_store(other, CAL)
    assert [s.id for s in loc.stations] == ["s00", "s01", "s02", "s03", "s04"]


def test_a_grown_overlay_is_compacted_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "COMPACT_AT", 3)
    store, _ = create_store(tmp_path / "r.sqlite", initial(), by="init", why="start")
    loc = first = Locator.from_store(store, CAL)
    for i in range(4):
        moved = station(f"s{i:02d}", 116.45 + i * 0.01, 39.9)
        store.commit([Change(moved.id, moved, "move")], by="t", why="m")
        loc = loc.apply(store.changes(loc.seq, 100))
    compaction = loc._compaction
    assert compaction is not None
    deadline = time.monotonic() + 30
    while compaction.result is None and time.monotonic() < deadline:
        time.sleep(0.05)
    store.commit([Change("s09", None, "delete")], by="t", why="gone")
    loc = loc.apply(store.changes(loc.seq, 100))
    assert loc._source is not first._source and len(loc._overlay) < 3 and loc.seq == store.head()  # a new base
    assert answers(loc) == answers(Locator(Registry(list(store.stations()), version=str(store.head())), CAL))

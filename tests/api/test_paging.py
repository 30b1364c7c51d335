"""Paging /stations and the OGC items: the matches cached per Locator (locator/paging.py), carried
over by `apply`, and `next` links with a keyset cursor.

What a client paging by `next` links sees while the registry changes between two pages: every
station that exists throughout exactly once, in registry order; a station added meanwhile at the
end (if it matches); a station deleted before its page was read never; a station deleted after it
was read nothing more (even when it was the last one of a page: its cursor still knows the place);
an edited station once, as it was when its page was read. `numberMatched` is the count at the
moment of each page, so it changes from page to page by what changed.
"""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from locator import synthetic
from locator.service import Locator
from locator.store import Change, SqliteStore, create_store
from tests.api.test_follow_store import DEADLINE_S, serve_store
from tests.conftest import station

Box = tuple[float, float, float, float]
FILTERS: list[dict[str, Any]] = [
    {},
    {"station_type": "warm_station"},
    {"amenities": ["hot_water"]},
    {"amenities": ["hot_water", "wifi"]},
    {"box": (116.30, 39.85, 116.45, 39.98)},
    {"box": (116.30, 39.85, 116.45, 39.98), "amenities": ["toilet"], "station_type": "warm_station"},
]


def expected_ids(loc: Locator, kw: dict[str, Any]) -> list[str]:
    """The old full-select answer (every station tested, registry order): the oracle."""
    box = kw.get("box")
    pos = loc.select(box, amenities=kw.get("amenities", ()), station_type=kw.get("station_type"))
    return [loc.stations[p].id for p in pos]


def paged_ids(loc: Locator, kw: dict[str, Any], limit: int) -> list[str]:
    m = loc.matching(kw.get("box"), amenities=kw.get("amenities", ()), station_type=kw.get("station_type"))
    out = [st.id for start in range(0, m.count, limit) for _, st in m.page(start, limit)]
    assert len(out) == m.count
    return out


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s, _ = create_store(tmp_path / "reg.sqlite", synthetic.stations(600, seed=3), by="init", why="synthetic")
    assert isinstance(s, SqliteStore)
    return s


def test_matching_pages_equal_the_full_select_before_and_after_edits(store: SqliteStore) -> None:
    """Cached matches carried over by `apply` (edits, moves, closes, deletes, adds, re-creations)
    equal both the full select of the same Locator and a Locator loaded from scratch."""
    loc = Locator.from_store(store)
    for kw in FILTERS:
        assert paged_ids(loc, kw, 37) == expected_ids(loc, kw)
    rng = random.Random(5)
    ids = [s.id for s in loc.stations]
    for round_ in range(4):
        changes = []
        for sid in rng.sample(ids, 12):
            st = loc.registry.get(sid)
            kind = rng.choice(["move", "close", "delete", "amenity"])
            if kind == "delete":
                changes.append(Change(sid, None, "delete"))
                ids.remove(sid)
            elif kind == "close":
                changes.append(Change(sid, dataclasses.replace(st, status="closed"), "close"))
            elif kind == "move":
                moved = dataclasses.replace(st, lon=rng.uniform(116.2, 116.5), lat=rng.uniform(39.8, 40.0))
                changes.append(Change(sid, moved, "move"))
            else:
                flipped = tuple(sorted(set(st.amenities) ^ {"hot_water"}))
                changes.append(Change(sid, dataclasses.replace(st, amenities=flipped), "edit"))
        rich = ("hot_water", "wifi", "toilet")
        new = [station(f"new-{round_}-{i}", 116.31 + 0.01 * i, 39.9, amenities=rich) for i in range(5)]
        changes += [Change(s.id, s, "create") for s in new]
        ids += [s.id for s in new]
        store.commit(changes, by="tester", why=f"round {round_}")
        loc = loc.catch_up()
        fresh = Locator.from_store(store, snapshot_dir=store.path.parent / "none")
        for kw in FILTERS:
            got = paged_ids(loc, kw, 41)
            assert got == expected_ids(loc, kw) == expected_ids(fresh, kw), (round_, kw)
    gone = ids[3]
    store.commit([Change(gone, None, "delete")], by="tester", why="gone")
    store.commit([Change(gone, station(gone, 116.35, 39.9), "create")], by="tester", why="back")
    loc = loc.catch_up()
    assert paged_ids(loc, {}, 50)[-1] == gone  # re-created: registry order puts it last


def test_antimeridian_box_is_one_ordered_listing(tmp_path: Path) -> None:
    sts = [station("w", 179.5, 10.0), station("mid", 0.0, 10.0), station("e", -179.5, 10.0), station("w2", 179.9, 10)]
    s, _ = create_store(tmp_path / "r.sqlite", sts, by="init", why="x")
    loc = Locator.from_store(s)
    m = loc.matching((179.0, 0.0, -179.0, 20.0))
    assert [st.id for _, st in m.page(0, 10)] == ["w", "e", "w2"]


def wait_version(client: httpx.Client, seq: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        tag = client.get("/stations", params={"limit": 1}).headers["etag"]
        if int(tag.removeprefix('W/"').split("-")[0]) >= seq:
            return
        time.sleep(0.05)
    pytest.fail(f"the server did not reach change {seq} within {DEADLINE_S} s")


def follow(client: httpx.Client, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [client.get(url, params=params).json()]
    while nxt := {link["rel"]: link["href"] for link in pages[-1]["links"]}.get("next"):
        pages.append(client.get(nxt).json())
    return pages


def test_next_links_see_every_station_once_while_the_registry_changes(tmp_path: Path) -> None:
    kit = ("toilet", "wifi")
    sts = [station(f"s{i:02d}", 116.30 + 0.001 * i, 39.9, amenities=(kit[i % 3 == 0],)) for i in range(30)]
    store, _ = create_store(tmp_path / "reg.sqlite", sts, by="init", why="synthetic")
    with serve_store(tmp_path / "reg.sqlite", tmp_path) as base, httpx.Client(base_url=base, timeout=10) as client:
        for url in ("/stations", "/collections/stations/items"):
            whole = follow(client, url, {"limit": 7})
            assert [f["id"] for p in whole for f in p["features"]] == [s.id for s in sts]
            assert [p["numberReturned"] for p in whole] == [7, 7, 7, 7, 2]
        filtered = follow(client, "/stations", {"limit": 4, "amenity": "toilet", "bbox": "116.3045,39,116.4,40"})
        assert [f["id"] for p in filtered for f in p["features"]] == [f"s{i:02d}" for i in range(5, 30) if i % 3]

        first = client.get("/stations", params={"limit": 10}).json()
        assert [f["id"] for f in first["features"]] == [f"s{i:02d}" for i in range(10)]
        nxt = {link["rel"]: link["href"] for link in first["links"]}["next"]
        # between two pages: the page's last station and a seen one are deleted, one not yet seen
        # is deleted, a seen one and an unseen one are edited, one is added
        r = store.commit(
            [Change("s09", None, "delete"), Change("s02", None, "delete"), Change("s15", None, "delete"),
             Change("s05", dataclasses.replace(sts[5], name="改名"), "edit"),
             Change("s20", dataclasses.replace(sts[20], name="改名"), "edit"),
             Change("late", station("late", 116.2, 39.9), "create")],
            by="tester", why="edits between pages",
        )  # fmt: skip
        assert r.latest is not None
        wait_version(client, r.latest)
        second = client.get(nxt).json()
        assert second["numberMatched"] == 28  # right after the edit: 30 - 3 + 1
        rest = [second]
        while n := {link["rel"]: link["href"] for link in rest[-1]["links"]}.get("next"):
            rest.append(client.get(n).json())
        seen = [f["id"] for p in rest for f in p["features"]]
        assert seen == [f"s{i:02d}" for i in range(10, 30) if i != 15] + ["late"]
        assert next(f for p in rest for f in p["features"] if f["id"] == "s20")["properties"]["name"] == "改名"


def test_offset_limits_and_bad_cursor(tmp_path: Path) -> None:
    sts = [station(f"s{i}", 116.3 + 0.001 * i, 39.9) for i in range(5)]
    create_store(tmp_path / "reg.sqlite", sts, by="init", why="synthetic")
    with serve_store(tmp_path / "reg.sqlite", tmp_path) as base, httpx.Client(base_url=base, timeout=10) as client:
        past = client.get("/stations", params={"offset": 1000, "limit": 2}).json()
        assert past["numberMatched"] == 5 and past["numberReturned"] == 0 and past["features"] == []
        rels = {link["rel"]: link["href"] for link in past["links"]}
        assert "next" not in rels and "offset=998" in rels["prev"]
        huge = client.get("/collections/stations/items", params={"offset": 100_000_000})
        assert huge.status_code == 200 and huge.json()["numberReturned"] == 0
        for name, params in [
            ("offset", {"offset": 100_000_001}),
            ("offset", {"offset": -1}),
            ("limit", {"limit": 0}),
            ("limit", {"limit": 10_001}),
            ("cursor", {"cursor": "bm90LWEtY3Vyc29y"}),
            ("cursor", {"cursor": "!!"}),
            ("cursor", {"cursor": "W10"}),  # "[]"
        ]:
            for url in ("/stations", "/collections/stations/items"):
                r = client.get(url, params=params)
                assert r.status_code == 400 and r.json()["parameter"] == name, (url, params, r.text)
        last = client.get("/stations", params={"limit": 5}).json()
        assert last["numberReturned"] == 5 and "next" not in {link["rel"] for link in last["links"]}
        spec = client.get("/openapi.json").json()
        for path in ("/stations", "/collections/stations/items"):
            names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
            assert {"cursor", "offset", "limit", "bbox"} <= names

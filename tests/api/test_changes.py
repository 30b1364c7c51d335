"""GET /changes and GET /collections/stations/items/{id}/history on a real server over a store
with edits, moves, closes, deletes and re-creations."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from locator.store import Change, Store, create_store
from tests.api.test_follow_store import serve_store
from tests.conftest import station


def build_store(path: Path) -> Store:
    first = {s.id: s for s in (station(f"s{i:02d}", 116.30 + i * 0.01, 39.90 + (i % 5) * 0.01) for i in range(12))}
    store, _ = create_store(path, first.values(), by="init", why="synthetic test registry")

    def commit(why: str, *changes: Change) -> None:
        store.commit(list(changes), by="tester", why=why)

    commit("renamed", Change("s01", dataclasses.replace(first["s01"], name="改名站点"), "edit"))
    commit("moved", Change("s02", dataclasses.replace(first["s02"], lon=116.50, lat=40.00), "move"))
    commit("gone", Change("s03", None, "delete"))
    commit("back", Change("s03", station("s03", 116.60, 40.10, name="重建站点"), "create"))
    commit("gone for good", Change("s04", None, "delete"))
    commit("closed", Change("s05", dataclasses.replace(first["s05"], status="closed"), "close"))
    commit(
        "one change set",
        Change("n1", station("n1", 116.70, 40.20), "create"),
        Change("s06", None, "delete"),
        Change("s01", dataclasses.replace(first["s01"], name="又改名", amenities=("toilet",)), "edit"),
    )
    return store


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    tmp = tmp_path_factory.mktemp("changes")
    store = build_store(tmp / "reg.sqlite")
    with serve_store(tmp / "reg.sqlite", tmp) as base:
        yield base, store


def harvest(c: httpx.Client, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every change from `url` on, following `next` links; also every page."""
    changes: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        r = c.get(next_url)
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append(page)
        changes += page["changes"]
        nexts = [link["href"] for link in page["links"] if link["rel"] == "next"]
        next_url = nexts[0] if nexts else None
    return changes, pages


def test_changes_are_paged_oldest_first_with_next_links_and_latest(served: tuple[str, Store]) -> None:
    base, store = served
    with httpx.Client(base_url=base, timeout=10) as c:
        changes, pages = harvest(c, "/changes?limit=5")
    head = store.head()
    assert [ch["seq"] for ch in changes] == list(range(1, head + 1))
    # `latest` is the last seq of each page: a client that keeps it and asks again skips nothing
    assert all(len(p["changes"]) <= 5 and p["latest"] == p["changes"][-1]["seq"] for p in pages)
    assert pages[-1]["latest"] == head
    assert len(pages) == -(-head // 5) and pages[-1]["links"] == []
    first_next = {"rel": "next", "href": f"{base}/changes?since=5&limit=5", "type": "application/json"}
    assert pages[0]["links"] == [first_next]
    tomb = next(ch for ch in changes if ch["id"] == "s04")
    assert tomb["op"] == "upsert"  # created first …
    tomb = [ch for ch in changes if ch["id"] == "s04"][-1]
    assert tomb["op"] == "delete" and tomb["feature"] is None and tomb["rev"] == 2  # … then a tombstone
    assert tomb["at"].endswith("Z")
    with httpx.Client(base_url=base, timeout=10) as c:
        tail = c.get("/changes", params={"since": head}).json()
        beyond = c.get("/changes", params={"since": head + 100}).json()
        default = c.get("/changes").json()
    assert tail == {"changes": [], "latest": head, "links": []} and beyond == tail
    assert len(default["changes"]) == head  # fewer than the default limit of 100: up to date


def _wait_for_seq(c: httpx.Client, seq: int) -> None:
    deadline = time.monotonic() + 10
    while c.get("/healthz").json()["registry"]["seq"] < seq:
        assert time.monotonic() < deadline, f"the server did not reach seq {seq}"
        time.sleep(0.05)


def test_replaying_the_feed_reproduces_the_served_stations(served: tuple[str, Store]) -> None:
    base, store = served
    store.commit([Change("late", station("late", 116.35, 39.99), "create")], by="tester", why="while serving")
    with httpx.Client(base_url=base, timeout=10) as c:
        _wait_for_seq(c, store.head())
        changes, _ = harvest(c, "/changes?since=0&limit=3")
        replay: dict[str, dict[str, Any]] = {}
        for ch in changes:
            if ch["op"] == "delete":
                replay.pop(ch["id"])
            else:
                replay[ch["id"]] = ch["feature"]
        served_now = {f["id"]: f for f in c.get("/stations", params={"limit": 10000}).json()["features"]}
        closed = {sid for sid, f in replay.items() if f["properties"]["status"] == "closed"}
        assert closed == {"s05"} and c.get("/stations/s05").status_code == 200  # /stations leaves closed ones out
    assert set(replay) - closed == set(served_now)
    assert {"s03", "n1", "late"} <= set(replay) and not {"s04", "s06"} & set(replay)
    for sid, feat in served_now.items():
        mine = replay[sid]
        assert feat["geometry"] == mine["geometry"], sid
        assert {k: feat["properties"][k] for k in mine["properties"]} == mine["properties"], sid
    assert replay["s01"]["properties"]["name"] == "又改名"
    assert replay["s02"]["geometry"]["coordinates"] == [116.50, 40.00]


def test_history_of_a_station_and_of_a_deleted_one(served: tuple[str, Store]) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as c:
        s01 = c.get("/collections/stations/items/s01/history").json()
        s03 = c.get("/collections/stations/items/s03/history").json()
        s04 = c.get("/collections/stations/items/s04/history")
        missing = c.get("/collections/stations/items/never-was/history")
    assert s01["id"] == "s01"
    assert [(r["rev"], r["op"], r["by"]) for r in s01["revisions"]] == [
        (1, "create", "init"), (2, "edit", "tester"), (3, "edit", "tester"),
    ]  # fmt: skip
    assert s01["revisions"][1]["changed"] == ["name"] and s01["revisions"][1]["why"] == "renamed"
    assert s01["revisions"][2]["changed"] == ["name", "amenities"]
    assert s01["revisions"][2]["feature"]["properties"]["amenities"] == ["toilet"]
    seqs = [r["seq"] for r in s01["revisions"]]
    assert seqs == sorted(seqs) and all(r["at"].endswith("Z") for r in s01["revisions"])
    assert [r["op"] for r in s03["revisions"]] == ["create", "delete", "create"]
    assert s03["revisions"][1]["feature"] is None and s03["revisions"][2]["feature"]["properties"]["name"] == "重建站点"
    assert s04.status_code == 200 and s04.json()["revisions"][-1]["op"] == "delete"  # deleted: history kept
    assert missing.status_code == 404 and missing.json()["parameter"] == "id"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"since": "-1"}, "since"),
        ({"since": "abc"}, "since"),
        ({"since": str(2**64)}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "10001"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"sinse": "3"}, "sinse"),
    ],
)
def test_bad_parameters_are_400_naming_them(served: tuple[str, Store], query: dict[str, str], parameter: str) -> None:
    base, _ = served
    r = httpx.get(f"{base}/changes", params=query, timeout=10)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert r.json()["parameter"] == parameter and r.json()["description"]


def test_a_geojson_registry_has_no_history(server: tuple[str, Path]) -> None:
    base, _ = server
    for path in ("/changes", "/collections/stations/items/a-office/history"):
        r = httpx.get(f"{base}{path}", timeout=10)
        assert r.status_code == 409 and "has no history" in r.json()["description"], path
        assert "locator init --from" in r.json()["description"]


def test_serving_workers_pin_the_mmap_threshold() -> None:
    """Large arrays freed by each applied change set go back to the system (api/memory.py)."""
    import platform

    from locator.api.memory import pin_mmap_threshold

    assert pin_mmap_threshold() is (platform.libc_ver()[0] == "glibc")

"""`locator serve` on a SQLite store: every worker follows commits made by another process, and a
change set is applied whole (never half of it visible)."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from locator.store import Change, SqliteStore, Store, create_store
from locator.store.base import Revision
from tests.api.conftest import free_port
from tests.conftest import REPO, station, stop, wait_healthy

DEADLINE_S = 10.0


@contextmanager
def serve_store(registry: Path, tmp_path: Path, workers: int = 1) -> Iterator[str]:
    """A real `locator serve` on `registry`, its output in tmp_path/serve.log; yields the base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--maps", str(tmp_path / "maps"), "--quiet"]
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("LOCATOR_REGISTRY", None)
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log.read_text, 60)
        yield base
    finally:
        stop(proc)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, Any]:
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read())


def pin_workers(base: str, n: int, within_s: float = 60) -> dict[int, http.client.HTTPConnection]:
    """One kept-alive connection to each of the `n` worker processes (told apart by /healthz);
    a worker that is still loading is waited for."""
    host, port = base.removeprefix("http://").split(":")
    conns: dict[int, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + within_s
    while len(conns) < n:
        if time.monotonic() > deadline:
            pytest.fail(f"reached {len(conns)} of {n} workers within {within_s} s")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        pid = get(conn, "/healthz")[1]["worker"]
        if pid in conns:
            conn.close()
            time.sleep(0.02)
        else:
            conns[pid] = conn
    return conns


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}")
        time.sleep(0.02)


def test_every_worker_follows_edits_made_by_another_process(tmp_path: Path) -> None:
    base_stations = [station(f"s{i:02d}", 116.30 + i * 0.01, 39.90) for i in range(20)]
    store, _ = create_store(tmp_path / "reg.sqlite", base_stations, by="init", why="synthetic")
    with serve_store(tmp_path / "reg.sqlite", tmp_path, workers=2) as base:
        workers = pin_workers(base, 2)
        s05 = base_stations[5]
        store.commit(
            [
                Change("s05", dataclasses.replace(s05, name="改名后的站点"), "edit"),
                Change("far", station("far", 116.90, 40.30), "create"),
            ],
            by="tester",
            why="from another process",
        )
        head = store.head()
        for pid, conn in workers.items():

            def shows_edit(conn: http.client.HTTPConnection = conn) -> bool:
                near = get(conn, "/nearest?lat=40.3&lon=116.9&k=1")[1]["features"]
                name = get(conn, "/stations/s05")[1]["properties"]["name"]
                return bool(near[0]["id"] == "far" and name == "改名后的站点")

            wait_until(shows_edit, f"worker {pid} serves the edit")
            assert get(conn, "/healthz")[1]["registry"]["seq"] == head

        store.commit([Change("far", None, "delete")], by="tester", why="gone")
        for pid, conn in workers.items():
            wait_until(lambda conn=conn: get(conn, "/stations/far")[0] == 404, f"worker {pid} drops the station")
            assert get(conn, "/nearest?lat=40.3&lon=116.9&k=1")[1]["features"][0]["id"] != "far"


def test_a_change_set_is_never_seen_half_applied(tmp_path: Path) -> None:
    store, _ = create_store(tmp_path / "reg.sqlite", [station(f"s{i}", 116.3 + i * 0.01, 39.9) for i in range(10)],
                            by="init", why="synthetic")  # fmt: skip
    batch = [station(f"new{i:02d}", 116.4 + i * 0.001, 39.95, name=f"批量新站 {i}") for i in range(50)]
    renamed = [dataclasses.replace(s, name=f"批量改名 {i}") for i, s in enumerate(batch)]
    steps: list[tuple[list[Change], dict[str, int]]] = [
        ([Change(s.id, s, "create") for s in batch], {"批量新站": 50, "批量改名": 0}),
        ([Change(s.id, s, "edit") for s in renamed], {"批量新站": 0, "批量改名": 50}),
        ([Change(s.id, None, "delete") for s in renamed], {"批量新站": 0, "批量改名": 0}),
    ]
    with serve_store(tmp_path / "reg.sqlite", tmp_path, workers=2) as base:
        workers = pin_workers(base, 2)
        seen: list[tuple[int, int]] = []
        done = threading.Event()
        lock = threading.Lock()  # the poller and the main thread share the pinned connections

        def counts(conn: http.client.HTTPConnection) -> dict[str, int]:
            with lock:
                feats = get(conn, "/stations?limit=10000")[1]["features"]
            names = [f["properties"]["name"] for f in feats]
            return {p: sum(n.startswith(p) for n in names) for p in ("批量新站", "批量改名")}

        def poll() -> None:
            while not done.is_set():
                for conn in workers.values():
                    c = counts(conn)
                    seen.append((c["批量新站"], c["批量改名"]))

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            for changes, expected in steps:
                store.commit(changes, by="tester", why="one change set of 50")
                for pid, conn in workers.items():
                    wait_until(lambda conn=conn, e=expected: counts(conn) == e, f"worker {pid} shows {expected}")
        finally:
            done.set()
            poller.join(timeout=30)
        assert len(seen) > 10
        assert {n for pair in seen for n in pair} <= {0, 50}, sorted(set(seen))
        assert (50, 0) in seen and (0, 50) in seen


def _revisions(store: Store) -> list[Revision]:
    return store.changes(0, 10_000)


def test_whole_change_sets_end_on_change_set_boundaries_at_any_limit(tmp_path: Path) -> None:
    from locator.api.holder import whole_change_sets

    store: SqliteStore
    store, _ = create_store(tmp_path / "r.sqlite", [station(f"a{i}") for i in range(5)], by="init", why="x")  # type: ignore[assignment]
    store.commit([Change("b", station("b"), "create")], by="t", why="one")
    store.commit([Change(f"c{i}", station(f"c{i}"), "create") for i in range(7)], by="t", why="seven")
    store.commit([Change("a1", None, "delete"), Change("a2", None, "delete")], by="t", why="two")
    every = _revisions(store)
    sizes = {cs: sum(r.changeset == cs for r in every) for cs in {r.changeset for r in every}}
    assert sorted(sizes.values()) == [1, 2, 5, 7]
    for limit in range(1, 16):
        for since in (0, 3, 5, 6):
            lists = list(whole_change_sets(store, since, store.head(), limit))
            got = [r for part in lists for r in part]
            assert [r.seq for r in got] == [r.seq for r in every if r.seq > since]
            for part in lists:
                after = [r for r in every if r.seq > part[-1].seq]
                assert not after or after[0].changeset != part[-1].changeset, (limit, since)
        # a head read earlier stops the reading there, whatever was committed since
        assert [r.seq for p in whole_change_sets(store, 0, 6, limit) for r in p] == list(range(1, 7))

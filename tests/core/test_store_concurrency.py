"""Several writer processes on one store file at once: SQLite's write lock plus the store's
revision check must lose no update, give every loser a RevisionConflict, and keep one gapless
change sequence."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
from pathlib import Path

from locator.store import create_store, open_store
from tests.conftest import station
from tests.store_worker import spawn

N = 4  # processes


def start_together(procs: list[subprocess.Popen[str]], go: Path) -> list[subprocess.Popen[str]]:
    """Let the processes go once every one of them has started (and imported everything)."""
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    go.touch()
    return procs


def finish(procs: list[subprocess.Popen[str]]) -> list[dict[str, object]]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        out.append(json.loads(stdout.splitlines()[-1]))
    return out


def test_writers_that_read_the_same_revision_one_wins_the_others_get_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    store, _ = create_store(path, [station("a")], by="init", why="seed")
    results = finish([spawn("race", path, "a", f"w{i}", N, tmp_path) for i in range(N)])
    assert all(r["read"] == 1 for r in results)  # all read revision 1 before anyone committed
    winners = [r for r in results if r["won"]]
    losers = [r for r in results if not r["won"]]
    assert len(winners) == 1 and len(losers) == N - 1
    for r in losers:
        assert r["actual"] == 2
        assert r["conflict"] == "a: changed meanwhile: expected revision 1, the station is at revision 2"
    hist = store.history("a")
    assert [h.rev for h in hist] == [1, 2] and store.head() == 2
    got = store.get("a")
    assert got is not None and got.station.note == hist[1].by  # the winner's content, nobody else's


def test_concurrent_read_modify_write_loops_lose_no_update(tmp_path: Path) -> None:
    """Each process appends M tokens to one station's note, re-reading on every conflict."""
    path, m = tmp_path / "r.sqlite", 50
    store, _ = create_store(path, [station("a")], by="init", why="seed")
    go = tmp_path / "go"
    results = finish(start_together([spawn("rmw", path, "a", f"w{i}", m, go) for i in range(N)], go))
    assert [r["commits"] for r in results] == [m] * N
    conflicts = sum(int(str(r["conflicts"])) for r in results)
    hist = store.history("a")
    assert [h.rev for h in hist] == list(range(1, N * m + 2))  # 1 (seed) + one per successful commit
    for older, newer in itertools.pairwise(hist):
        assert newer.before == older.after  # every commit built on the one before it
    got = store.get("a")
    assert got is not None and got.station.note is not None
    tokens = got.station.note.split()
    assert sorted(tokens) == sorted(f"w{i}.{j}" for i in range(N) for j in range(m))  # no lost update
    print(f"{N} writers × {m} commits: {conflicts} conflicts retried")


def test_concurrent_adders_all_land_in_one_gapless_sequence(tmp_path: Path) -> None:
    path, m = tmp_path / "r.sqlite", 25
    create_store(path, [], by="init", why="empty")[0].close()
    go = tmp_path / "go"
    results = finish(start_together([spawn("add", path, f"p{i}", m, go) for i in range(N)], go))
    for r in results:
        seqs = r["seqs"]
        assert isinstance(seqs, list) and seqs == sorted(seqs) and len(set(seqs)) == m
    store = open_store(path)
    assert store.count() == N * m and store.head() == N * m
    assert [r.seq for r in store.changes(0, 10_000)] == list(range(1, N * m + 1))
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*), count(DISTINCT changeset) FROM revisions").fetchone() == (N * m, N * m)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()

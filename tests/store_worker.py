"""A writer process for the store's fault and concurrency tests (run as a script, never imported by pytest).

    python tests/store_worker.py MODE STORE ARGS...

Each mode uses only `locator.store`, prints one JSON line with what it did, and exits 0; any other
exception ends it with a traceback (the test sees a non-zero exit). Modes that start together wait
for a "go" file so that they really overlap.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from locator.model import Station
from locator.store import Change, RevisionConflict, SqliteStore, StoreError


def spawn(*args: object) -> subprocess.Popen[str]:
    """Start this script in a new Python process (for the tests)."""
    cmd = [sys.executable, __file__, *map(str, args)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def synthetic(sid: str, i: int = 0, **kw: object) -> Station:
    base: dict[str, object] = {
        "name": f"合成站点 {sid}",
        "type": "warm_station",
        "amenities": ("drinking_water",),
        "opening_hours": "24/7",
        "source": "synthetic (test)",
    }
    base.update(kw)
    return Station(id=sid, lon=116.0 + (i % 100_000) * 1e-5, lat=39.5 + (i // 100_000) * 1e-3, **base)  # type: ignore[arg-type]


def wait_for(path: Path) -> None:
    """Say `ready` (the test waits for every process's), then wait for the go file."""
    print("ready", flush=True)
    while not path.exists():
        time.sleep(0.001)


def race(store: SqliteStore, sid: str, worker: str, n: str, folder: str) -> dict[str, object]:
    """Read the station, wait until all N racers have read the same revision, then commit."""
    cur = store.get(sid)
    assert cur is not None
    (Path(folder) / f"read-{worker}").write_text(str(cur.rev))
    while len(list(Path(folder).glob("read-*"))) < int(n):
        time.sleep(0.001)
    try:
        change = Change(sid, dataclasses.replace(cur.station, note=worker), "edit", if_rev=cur.rev)
        store.commit([change], by=worker, why="race")
    except RevisionConflict as exc:
        return {"won": False, "read": cur.rev, "conflict": str(exc), "actual": exc.actual}
    return {"won": True, "read": cur.rev}


def rmw(store: SqliteStore, sid: str, worker: str, m: str, go: str) -> dict[str, object]:
    """M read-modify-write commits, each appending a token to `note`; retried on a conflict."""
    wait_for(Path(go))
    commits = conflicts = 0
    while commits < int(m):
        cur = store.get(sid)
        assert cur is not None
        note = f"{cur.station.note or ''} {worker}.{commits}".strip()
        try:
            change = Change(sid, dataclasses.replace(cur.station, note=note), "edit", if_rev=cur.rev)
            store.commit([change], by=worker, why="rmw")
        except RevisionConflict:
            conflicts += 1
            continue
        commits += 1
    return {"commits": commits, "conflicts": conflicts}


def add(store: SqliteStore, prefix: str, m: str, go: str) -> dict[str, object]:
    wait_for(Path(go))
    seqs = []
    for i in range(int(m)):
        sid = f"{prefix}-{i}"
        res = store.commit([Change(sid, synthetic(sid, i), "create", expect="new")], by=prefix, why="add")
        seqs.append(res.latest)
    return {"seqs": seqs}


def big(store: SqliteStore, n: str) -> dict[str, object]:
    """One change set of N new stations; prints `ready` just before the commit starts."""
    stations = [synthetic(f"big-{i}", i) for i in range(int(n))]
    changes = [Change(s.id, s, "import", expect="new") for s in stations]
    print("ready", flush=True)
    return {"seqs": len(store.commit(changes, by="import", why="big").revisions)}


def stream(store: SqliteStore, k: str) -> dict[str, object]:
    """Endless change sets, each editing stations e-0 … e-(K-1); prints the count of each commit."""
    i = 0
    while True:
        i += 1
        changes = [Change(f"e-{j}", synthetic(f"e-{j}", j, note=f"{os.getpid()}-v{i}"), "edit") for j in range(int(k))]
        store.commit(changes, by="stream", why=f"round {i}")
        print(i, flush=True)


def churn(store: SqliteStore, stop: str) -> dict[str, object]:
    """Change sets until STOP exists: edit two stations, create one, delete the one made before."""
    i = 0
    while not Path(stop).exists():
        i += 1
        changes = [
            Change("c-0", synthetic("c-0", 0, note=f"v{i}"), "edit"),
            Change("c-1", synthetic("c-1", 1, note=f"v{i}"), "edit"),
            Change(f"n-{i}", synthetic(f"n-{i}", i), "create", expect="new"),
        ]
        if i > 1:
            changes.append(Change(f"n-{i - 1}", None, "delete"))
        store.commit(changes, by="churn", why=f"round {i}")
    return {"commits": i}


def probe(path: str) -> dict[str, object]:
    """Open, read, then try one edit; a StoreError is reported as its message (one line)."""
    out: dict[str, object] = {}
    try:
        store = SqliteStore(Path(path))
        out["read"] = len(list(store.stations()))
        cur = store.get("a")
        assert cur is not None
        store.commit([Change("a", dataclasses.replace(cur.station, note="probe"), "edit")], by="probe", why="probe")
        out["write"] = "ok"
    except StoreError as exc:
        out["error"] = str(exc)
    return out


MODES = {"race": race, "rmw": rmw, "add": add, "big": big, "stream": stream, "churn": churn}

if __name__ == "__main__":
    mode, path, *args = sys.argv[1:]
    result = probe(path) if mode == "probe" else MODES[mode](SqliteStore(Path(path)), *args)
    print(json.dumps(result), flush=True)

"""Store-backed serving at scale: start time and memory, incremental apply, feed and history.

    .venv/bin/python bench/bench_store.py --n 1000000 [--dir /tmp/bench-store]

Synthetic stations only (locator.synthetic), in a scratch folder. Every start is measured in a
fresh subprocess (wall time and peak RSS, VmHWM), with the same run's baselines: the GeoJSON path
`Locator(load_registry(file))` and the plain `Locator(Registry(stations))` from the store.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

START = """
import json, resource, sys, time
t = time.perf_counter()
from locator.holidays import load_holidays
from locator.registry import Registry, load_registry
from locator.service import Locator
from locator.store import open_store
how, where = sys.argv[1], sys.argv[2]
if how == "geojson":
    loc = Locator(load_registry(__import__("pathlib").Path(where)), load_holidays())
elif how == "plain":
    s = open_store(where)
    loc = Locator(Registry(list(s.stations()), version=str(s.head())), load_holidays())
else:
    loc = Locator.from_store(open_store(where), load_holidays())
loc.nearest(39.9, 116.4, k=5)
took = time.perf_counter() - t
# VmHWM is this process's peak RSS; ru_maxrss would carry the parent's peak over fork + exec
hwm = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")]
peak = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": took, "mb": peak / 1024}))
"""


def start(how: str, where: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", START, how, str(where)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def queries(loc: object, points: np.ndarray, **kw: object) -> str:
    times = []
    for lat, lon in points:
        t = time.perf_counter()
        loc.nearest(float(lat), float(lon), k=5, **kw)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    return f"p50 {statistics.median(times):.0f} µs, p99 {times[int(len(times) * 0.99)]:.0f} µs"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/bench-store"))
    ap.add_argument("--starts-only", action="store_true", help="measure the start-ups only")
    args = ap.parse_args()
    from locator import synthetic
    from locator.holidays import load_holidays
    from locator.registry import save_registry
    from locator.service import Locator
    from locator.store import Change, create_store, open_store

    args.dir.mkdir(parents=True, exist_ok=True)
    db, gj = args.dir / f"s{args.n}.sqlite", args.dir / f"s{args.n}.geojson"
    if not db.exists() or not gj.exists():
        db.unlink(missing_ok=True)
        shutil.rmtree(db.with_name(db.name + ".columns"), ignore_errors=True)
        sts = synthetic.stations(args.n)
        t = time.perf_counter()
        save_registry(gj, sts)
        print(f"GeoJSON file written in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        made, _ = create_store(db, sts, by="init", why="bench")
        made.close()
        print(f"store created (create_store, one change set) in {time.perf_counter() - t:.1f} s")
        del sts
    print(f"\n== start to first /nearest answer, {args.n:,} stations (fresh process each) ==")
    for label, how, where in (
        ("baseline GeoJSON  Locator(load_registry)", "geojson", gj),
        ("baseline store    Locator(Registry(stations))", "plain", db),
    ):
        r = start(how, where)
        print(f"{label:48s} {r['s']:6.2f} s  {r['mb']:6.0f} MB")
    shutil.rmtree(db.with_name(db.name + ".columns"), ignore_errors=True)
    r = start("columns", db)
    print(f"{'from_store, no snapshot yet (writes it)':48s} {r['s']:6.2f} s  {r['mb']:6.0f} MB")
    for i in range(2):
        r = start("columns", db)
        print(f"{f'from_store from the snapshot (run {i + 1})':48s} {r['s']:6.2f} s  {r['mb']:6.0f} MB")

    if args.starts_only:
        return
    print("\n== one process: apply, queries, commits, feed, history ==")
    store = open_store(db)
    loc = Locator.from_store(store, load_holidays())
    pts = np.column_stack(synthetic.sample_points(2000, np.random.default_rng(7)))[:, ::-1]
    print("nearest before edits:           ", queries(loc, pts))
    print("nearest open_now before edits:  ", queries(loc, pts, open_now=True))
    target = "syn-0000001"
    base = store.get(target)
    assert base is not None
    t = time.perf_counter()
    for i in range(1000):
        st = dataclasses.replace(base.station, name=f"合成站点 改 {i}", lon=base.station.lon + i * 1e-5)
        store.commit([Change(target, st, "edit")], by="bench", why="bench edit")
    took = time.perf_counter() - t
    print(f"store.commit, one change per commit: {1000 / took:,.0f} revisions/s")
    news = store.changes(loc.seq, 1000)
    t = time.perf_counter()
    one = loc.apply(news[:1])
    print(f"apply 1 edit:     {(time.perf_counter() - t) * 1e3:7.2f} ms")
    t = time.perf_counter()
    after = loc.apply(news)
    print(f"apply 1,000 edits (one call): {(time.perf_counter() - t) * 1e3:7.2f} ms")
    t = time.perf_counter()
    step = loc
    for rev in news:
        step = step.apply([rev])
    print(f"apply 1,000 edits one by one: {(time.perf_counter() - t) * 1e3:7.2f} ms in all")
    assert step.station(target).station == after.station(target).station != one.station(target).station
    print("nearest after 1,000 edits:      ", queries(after, pts))
    print("nearest open_now after edits:   ", queries(after, pts, open_now=True))
    t = time.perf_counter()
    hist = store.history(target)
    print(f"history of a station with {len(hist)} revisions: {(time.perf_counter() - t) * 1e3:.1f} ms")
    t = time.perf_counter()
    feed = store.changes(store.head() - 1000, 1000)
    print(f"changes, 1,000 of them: {(time.perf_counter() - t) * 1e3:.1f} ms ({len(feed)})")


if __name__ == "__main__":
    main()

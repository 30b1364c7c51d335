"""What one edit costs the maps of a store, on SYNTHETIC stores (tmp folders, never data/).

Usage: python bench/bench_maps_store.py [--n 26000 200000] [--edits 5]
For each size: the full build (read the store, plan, write), then single edits applied by
StoreMaps.update (what the serve-time watcher runs), split into the all-stations page's part
and the rest. Baseline of the same run: a full build, which is what every edit cost before.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time
from pathlib import Path

from locator import synthetic
from locator.holidays import DEFAULT_HOLIDAYS
from locator.maps import store_maps
from locator.maps.build import DISTRICT_SLUGS
from locator.maps.store_maps import StoreMaps
from locator.store import Change, create_store

DISTRICTS = sorted(DISTRICT_SLUGS)


def stations(n: int) -> list[synthetic.Station]:
    return [dataclasses.replace(s, district=DISTRICTS[i % len(DISTRICTS)]) for i, s in enumerate(synthetic.stations(n))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, edits: int, tmp: Path) -> None:
    t = time.perf_counter()
    store, _ = create_store(tmp / f"s{n}.sqlite", stations(n), by="init", why="bench")
    print(f"\nn={n:,}: store created in {time.perf_counter() - t:.1f} s")
    out = tmp / f"maps{n}"
    maps = StoreMaps(store, DEFAULT_HOLIDAYS, out)
    t = time.perf_counter()
    res = maps.build()
    full = time.perf_counter() - t
    print(f"  full build (baseline: every edit before): {full:6.2f} s, {len(res.written)} files, RSS {rss_mb():.0f} MB")
    index_cost: list[float] = []
    real = store_maps.build_page

    def timed(slug: str, *args: object, **kw: object) -> store_maps.Page:
        t0 = time.perf_counter()
        page = real(slug, *args, **kw)  # type: ignore[arg-type]
        if slug == "index":
            index_cost.append(time.perf_counter() - t0)
        return page

    store_maps.build_page = timed  # type: ignore[assignment]
    try:
        for k in range(edits):
            cur = store.get(f"syn-{1 + k * 7919 % n:07d}")
            assert cur is not None
            renamed = dataclasses.replace(cur.station, name=f"改名 {k}")
            store.commit([Change(renamed.id, renamed, "edit")], by="bench", why="bench")
            index_cost.clear()
            t = time.perf_counter()
            res = maps.update()
            total = time.perf_counter() - t
            assert res is not None
            size = sum(len((out / r).read_bytes()) for r in res.written)
            print(
                f"  edit {k + 1}: {total:5.2f} s ({total / full:4.0%} of a full build); all-stations page "
                f"{index_cost[0]:5.2f} s; {len(res.written)} files written ({size / 1e6:.1f} MB), "
                f"{len(res.removed)} removed"
            )
    finally:
        store_maps.build_page = real
    print(f"  peak RSS {rss_mb():.0f} MB (the watcher keeps the stations and page files in memory)")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[26_000, 200_000])
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            run(n, args.edits, Path(tmp))


if __name__ == "__main__":
    main()

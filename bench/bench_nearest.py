"""Nearest-station core benchmark on SYNTHETIC registries (locator.synthetic).

Usage: python bench/bench_nearest.py [N ...]   (default: 10000 100000 1000000)

For each size: index build time and memory (RSS growth), then single in-process queries, k = 5,
p50 / p99 in µs over the same query points for
  * ours, no filter; ours, one amenity + open-now (the StationIndex the CLI/API use),
  * baseline: plain scipy cKDTree on unit vectors (default build, no filters),
  * baseline: exhaustive numpy haversine search (fewer queries at 10^6: it is slow),
and a correctness check of ours against the exhaustive search (filtered and unfiltered).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from locator import synthetic, vocab
from locator.geo import haversine_m, unit_vector, unit_vectors
from locator.holidays import load_holidays
from locator.hours import OPEN, HoursBook, beijing
from locator.nearest import Filters, StationIndex

QUERIES = 10_000
AT = beijing(dt.datetime(2026, 11, 23, 10, 30)).timestamp()  # a Monday morning


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def pct(samples: list[float]) -> str:
    a = np.array(samples) * 1e6
    return f"p50 {np.percentile(a, 50):7.1f} µs   p99 {np.percentile(a, 99):7.1f} µs"


def timed(fn, points) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for lon, lat in points:
        t0 = time.perf_counter()
        fn(lon, lat)
        out.append(time.perf_counter() - t0)
    return out


def run(n: int) -> None:
    print(f"\n=== {n:,} synthetic stations ===")
    data = synthetic.arrays(n, seed=1)
    exprs = sorted({h for h in data.hours if h is not None})
    remap = np.array([exprs.index(h) if h is not None else -1 for h in data.hours], dtype=np.int32)
    expr_id = remap[data.hours_idx]
    book = HoursBook(exprs, load_holidays())
    before = rss_mb()
    t0 = time.perf_counter()
    index = StationIndex(data.lon, data.lat, data.amenities, data.type_code, data.status_code, expr_id, book)
    build = time.perf_counter() - t0
    print(f"index build {build:.2f} s, memory +{rss_mb() - before:.0f} MB (RSS growth, arrays included)")

    rng = np.random.default_rng(7)
    qlon, qlat = synthetic.sample_points(QUERIES, rng)
    points = list(zip(qlon.tolist(), qlat.tolist(), strict=True))
    f_amen = Filters(amenity_mask=1 << vocab.AMENITY_BIT["microwave"], open_at=AT)

    for _ in range(2):  # warm the caches
        for lon, lat in points[:200]:
            index.query(lon, lat, 5)
            index.query(lon, lat, 5, f_amen)
    print(f"ours, no filter                 {pct(timed(lambda x, y: index.query(x, y, 5), points))}")
    print(f"ours, microwave + open-now      {pct(timed(lambda x, y: index.query(x, y, 5, f_amen), points))}")

    plain = cKDTree(unit_vectors(data.lon, data.lat))
    print(f"baseline plain cKDTree          {pct(timed(lambda x, y: plain.query(unit_vector(x, y), k=5), points))}")

    n_brute = 200 if n >= 1_000_000 else 1000

    def brute(lon: float, lat: float) -> np.ndarray:
        d = haversine_m(lon, lat, data.lon, data.lat)
        part = np.argpartition(d, 5)[:5]
        return part[np.argsort(d[part])]

    print(f"baseline exhaustive numpy       {pct(timed(brute, points[:n_brute]))}  ({n_brute} queries)")

    # correctness against the exhaustive search (distances compared: ties may swap ids)
    live = data.status_code != vocab.STATUS_IDS.index("closed")
    amen_ok = (data.amenities & np.uint64(f_amen.amenity_mask)) != 0
    open_ok = (book.states(expr_id, AT) == OPEN) & (data.status_code == 0)
    bad = 0
    for lon, lat in points[:300]:
        d = haversine_m(lon, lat, data.lon, data.lat)
        for f, ok in ((None, live), (f_amen, live & amen_ok & open_ok)):
            want = np.sort(d[ok])[:5]
            _, got_l = index.query(lon, lat, 5, f)
            got = np.array(got_l)
            bad += int(not np.allclose(got, want, rtol=0, atol=1e-3))
    print(f"correctness: {bad} mismatches in 600 checked queries")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    for n in sizes:
        run(n)


if __name__ == "__main__":
    main()

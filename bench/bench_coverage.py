"""Coverage speed and grid accuracy on a SYNTHETIC registry (locator.synthetic: centre-weighted
stations around Beijing's districts).

    .venv/bin/python bench/bench_coverage.py --n 30000

Same-run baselines: the naive exact answer (union_all of every station's circle, intersected
with each district) and the per-district exact engine (locator/coverage/area.py); the grid
(locator/coverage/grid.py) is what `coverage()` and `hour_curve()` use. Targets (issue 11): one
answer ≤ 3 s, the 24-hour curve for three day kinds ≤ 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import time

import numpy as np
import shapely

from locator import synthetic
from locator.coverage import area, metric
from locator.coverage.compute import coverage, prepare
from locator.coverage.districts import load_districts
from locator.coverage.grid import build_grid
from locator.coverage.hourly import hour_curve
from locator.coverage.uncovered import uncovered
from locator.registry import Registry
from locator.service import Locator


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    print(f"{label:<58} {time.perf_counter() - t:7.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30_000)
    ap.add_argument("--radius", type=float, default=1000.0)
    a = ap.parse_args()
    r = a.radius
    loc = timed(f"build Locator ({a.n} synthetic stations)", lambda: Locator(Registry(synthetic.stations(a.n))))
    d = load_districts()
    timed("grid of the districts (50 m cells, once per process)", lambda: build_grid(d))
    at = dt.datetime(2026, 10, 3, 23, 0)
    timed("coverage() first call (grid built, projection)", lambda: coverage(loc, d, at=at, radius_m=r))
    rep = timed("coverage() all stations", lambda: coverage(loc, d, at=at, radius_m=r))
    timed("coverage() open now at 2026-10-03 23:00", lambda: coverage(loc, d, at=at, radius_m=r, open_now=True))
    p = prepare(loc, d, (), None)
    naive = timed(
        "baseline: naive union_all of all circles ∩ each district",
        lambda: shapely.area(shapely.intersection(d.metric, shapely.union_all(metric.discs(p.x, p.y, r, 8)))),
    )
    exact = timed("exact per-district union (area.py, 64-gons)", lambda: area.covered_shares(d, p.x, p.y, r))
    grid = np.array([x.covered_share for x in rep.districts])
    naive_share = naive / d.areas_m2
    print(f"grid vs exact: max |Δ share| = {100 * np.abs(grid - exact).max():.3f} percentage points")
    print(f"naive 32-gons vs exact: max |Δ share| = {100 * np.abs(naive_share - exact).max():.3f} percentage points")
    today = dt.date(2026, 9, 20)
    curve = timed("hour_curve: 24 h × 3 day kinds (open now)", lambda: hour_curve(loc, d, radius_m=r, today=today))
    timed("hour_curve again (cached)", lambda: hour_curve(loc, d, radius_m=r, today=today))
    print("days:", {k: v.isoformat() for k, v in curve.days.items()})
    doc = timed("uncovered() GeoJSON, all stations", lambda: uncovered(loc, d, at=at, radius_m=r))
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    print(f"uncovered GeoJSON: {len(raw) / 1e3:.0f} KB, {len(gzip.compress(raw)) / 1e3:.0f} KB gzipped")
    print(f"total covered share {rep.total.covered_share:.3f}, stations {rep.total.stations}, outside {rep.outside}")


if __name__ == "__main__":
    main()

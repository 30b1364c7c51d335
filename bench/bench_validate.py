"""Validation benchmark on SYNTHETIC registries (locator.synthetic), written to a temporary folder.

Usage: python bench/bench_validate.py [SAME_N] [MIXED_N] [BASELINE_N]   (default: 40000 200000 5000)

  * SAME_N stations that all share one name (the case that was quadratic),
  * MIXED_N stations: 30 % share one name, 20 % come from a pool of 200 names, the rest are unique;
for each: the whole `check_registry` (what `locator validate` does) and the near-duplicate step
alone, in CPU seconds. Baseline in the same run: the former brute-force near-duplicate search
(every pair of each name) on BASELINE_N same-named stations, and its quadratic extrapolation.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from locator import synthetic
from locator.duplicates import NEAR_DUPLICATE_M, near_duplicates
from locator.errors import Problem
from locator.geo import haversine_m
from locator.model import Station
from locator.registry import check_registry, save_registry

SHARED = "合成站点 暖心驿站"


def brute_force(stations: list[Station], places: list[str]) -> list[Problem]:
    """The former O(n²)-per-name search (reference only)."""
    problems: list[Problem] = []
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, st in enumerate(stations):
        by_name[st.name].append(i)
    for name, idx in by_name.items():
        lon = np.array([stations[i].lon for i in idx])
        lat = np.array([stations[i].lat for i in idx])
        for a in range(len(idx) - 1):
            d = haversine_m(lon[a], lat[a], lon[a + 1 :], lat[a + 1 :])
            for b in np.nonzero(d < NEAR_DUPLICATE_M)[0].tolist():
                msg = f"same name {name!r} as {stations[idx[a]].id!r} {d[b]:.0f} m away: a duplicate?"
                problems.append(Problem(places[idx[a + 1 + b]], "name", msg, warning=True))
    return problems


def same_named(n: int) -> list[Station]:
    return [dataclasses.replace(s, name=SHARED) for s in synthetic.stations(n, seed=1)]


def mixed(n: int) -> list[Station]:
    rng = np.random.default_rng(2)
    draw = rng.random(n)
    pool = rng.integers(0, 200, n)
    out = []
    for s, u, k in zip(synthetic.stations(n, seed=2), draw, pool, strict=True):
        name = SHARED if u < 0.3 else f"合成站点 池{k:03d}" if u < 0.5 else s.name
        out.append(dataclasses.replace(s, name=name))
    return out


def cpu(fn, *args):  # type: ignore[no-untyped-def]
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def run(label: str, stations: list[Station], folder: Path) -> None:
    path = folder / f"{label}.geojson"
    save_registry(path, stations)
    places = [f"{path}:{s.id}" for s in stations]
    t_near, warnings = cpu(near_duplicates, stations, places)
    t_all, (valid, problems, _) = cpu(check_registry, path)
    errors = sum(1 for p in problems if not p.warning)
    print(
        f"{label:>24}: n={len(stations):>7,}  validate {t_all:6.2f} s  near-duplicates {t_near:6.3f} s  "
        f"({len(warnings):,} warnings, {errors} errors, {len(valid):,} valid)"
    )


def main() -> None:
    same_n, mixed_n, base_n = (int(a) for a in (sys.argv[1:] + ["40000", "200000", "5000"][len(sys.argv) - 1 :]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run("same name", same_named(same_n), folder)
        run("mixed names", mixed(mixed_n), folder)
        base = same_named(base_n)
        places = [s.id for s in base]
        t_new, new = cpu(near_duplicates, base, places)
        t_old, old = cpu(brute_force, base, places)
        assert new == old, "the tree and the brute force disagree"
        print(
            f"{'baseline (brute force)':>24}: n={base_n:>7,}  near-duplicates {t_old:6.3f} s (tree: {t_new:.3f} s, "
            f"same {len(old):,} warnings); brute force at n={same_n:,} ≈ {t_old * (same_n / base_n) ** 2:,.0f} s"
        )


if __name__ == "__main__":
    main()

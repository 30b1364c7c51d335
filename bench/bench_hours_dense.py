"""CPU cost of `nearest` over registries of distinct, densely changing opening_hours expressions.

Usage: python bench/bench_hours_dense.py [--sizes 256,1000]

SYNTHETIC registries: n stations, each with its own expression holding as many state changes a
day as validation accepts (the generator the tests use). Each call asks a moment no earlier call
asked, so every call is a cold one for the hours cache. The same-run baseline is the same
request over the same stations all with "24/7" (one expression). Target: under 50 ms of CPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time

from locator import synthetic
from locator.registry import Registry
from locator.service import Locator

# moments among the spans, at a year's last minute (windows cross into a year without holidays)
DENSE_MOMENTS = ("2026-03-02T01:10", "2026-12-31T23:59", "2031-03-05T01:40", "2050-06-06T01:00")


def registry(exprs: list[str]) -> Registry:
    base = synthetic.stations(len(exprs), seed=5)
    return Registry([dataclasses.replace(s, opening_hours=e, status="open") for s, e in zip(base, exprs, strict=True)])


def worst_ms(loc: Locator, n: int) -> tuple[float, str]:
    costs: dict[str, float] = {}
    for shift, (k, open_now) in enumerate(((5, False), (5, True), (n, False), (n, True))):
        for base in DENSE_MOMENTS:
            at = (dt.datetime.fromisoformat(base) - dt.timedelta(minutes=shift)).isoformat()
            t0 = time.process_time()
            loc.nearest(39.9, 116.4, k=k, at=at, open_now=open_now)
            costs[f"k={k} open_now={open_now} at={at}"] = (time.process_time() - t0) * 1000
    worst = max(costs, key=lambda c: costs[c])
    return costs[worst], worst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="256,1000")
    args = ap.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        t0 = time.process_time()
        dense_loc = Locator(registry([synthetic.dense_hours(i) for i in range(n)]))
        load = time.process_time() - t0
        base_ms, _ = worst_ms(Locator(registry(["24/7"] * n)), n)
        ms, where = worst_ms(dense_loc, n)
        print(f"n={n:5} load {load:6.2f} s | worst call {ms:6.1f} ms CPU ({where}) | 24/7 baseline {base_ms:5.1f} ms")


if __name__ == "__main__":
    main()

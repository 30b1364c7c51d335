"""Pages of /stations and OGC items at any offset, on a SYNTHETIC store (locator.synthetic).

Usage: python bench/bench_paging.py [--n 200000] [--store PATH] [--port 18110] [--repeat 5]
       (`--n 1000000` for the full figure; `--store` reuses a store made by an earlier run)

Prints, for pages of 100 at offsets 0, 1k, 100k, 900k (those inside the matches) and each filter
kind, the time of `listing` (what the routes call, in process) — the first page of a filter (the
matches worked out) and the pages after it — before any edit and right after one (`apply`), and
beside it the same run's baseline: the old full select (`Locator.select`, every station tested and
listed on every page). Then a few pages over real HTTP (httpx) against `locator serve`.
No asserts: numbers only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from starlette.requests import Request

from locator import synthetic
from locator.api.features import listing
from locator.service import Locator
from locator.store import Change, SqliteStore, create_store, open_store
from locator.where import write_snapshot

REPO = Path(__file__).resolve().parent.parent
BOX = "116.28,39.88,116.34,39.93"  # about a district's size in the synthetic mixture
FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "type": {"station_type": "warm_station"},
    "amenity": {"amenities": ["hot_water"]},
    "amenities": {"amenities": ["hot_water", "toilet"]},
    "bbox": {"bbox": BOX},
    "combined": {"bbox": BOX, "amenities": ["toilet"], "station_type": "warm_station"},
}
OFFSETS = (0, 1_000, 100_000, 900_000)


def request(query: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/stations", "query_string": query.encode(), "headers": []}
    scope |= {"scheme": "http", "server": ("127.0.0.1", 80), "root_path": ""}
    return Request(scope)


def page(loc: Locator, kw: dict[str, Any], offset: int) -> tuple[float, dict[str, Any]]:
    t = time.perf_counter()
    doc = listing(
        request(f"offset={offset}"), loc, bbox=kw.get("bbox"), crs="wgs84", amenities=kw.get("amenities"),
        station_type=kw.get("station_type"), limit=100, offset=offset, at=None,
    )  # fmt: skip
    return (time.perf_counter() - t) * 1000, doc


def old_select_ms(loc: Locator, kw: dict[str, Any]) -> float:
    box = tuple(float(v) for v in kw["bbox"].split(",")) if "bbox" in kw else None
    t = time.perf_counter()
    loc.select(box, amenities=kw.get("amenities", ()), station_type=kw.get("station_type"))  # type: ignore[arg-type]
    return (time.perf_counter() - t) * 1000


def fmt(ms: list[float]) -> str:
    a = np.asarray(ms)
    return f"p50 {np.percentile(a, 50):6.2f} max {a.max():6.2f}"


def run_filters(loc: Locator, label: str, repeat: int) -> None:
    print(f"\n{label}: page of 100 (ms; `first`: the filter's first page, matches worked out)")
    for name, kw in FILTERS.items():
        first, doc = page(loc, kw, 0)
        matched = doc["numberMatched"]
        # distinct pages near each offset, so every station is built afresh (none from the LRU)
        later = [page(loc, kw, off + 100 * j)[0] for off in OFFSETS if off < matched for j in range(1, repeat + 1)]
        base = [old_select_ms(loc, kw) for _ in range(2)]
        print(f"  {name:10s} matched {matched:>8,}  first {first:6.2f}  offsets {fmt(later)}  "
              f"| old select alone {min(base):6.1f}")  # fmt: skip


def edit(store: SqliteStore, loc: Locator, n: int) -> Locator:
    sid = f"syn-{n // 2:07d}"
    st = loc.registry.get(sid)
    store.commit([Change(sid, dataclasses.replace(st, name="改名", lon=st.lon + 0.001), "move")], by="bench", why="x")
    t = time.perf_counter()
    loc = loc.catch_up()
    print(f"\napply of one edit (with the cached matches carried over): {(time.perf_counter() - t) * 1000:.1f} ms")
    return loc


def over_http(path: Path, port: int, n: int) -> None:
    cmd = [sys.executable, "-m", "locator", "--registry", str(path), "serve", "--port", str(port), "--quiet"]
    cmd += ["--maps", str(path.parent / "maps")]
    env = dict(os.environ)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as c:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("locator serve did not come up")
                time.sleep(0.2)
            print("\nover HTTP (ms a request, 5 distinct pages from each offset; maps may build meanwhile)")
            for url, q in [("/stations", {}), ("/stations", {"bbox": BOX, "amenity": "toilet"}),
                           ("/collections/stations/items", {"limit": 100})]:  # fmt: skip
                for off in (0, 1_000, 100_000, n - 100_000):
                    ms = []
                    for j in range(5):
                        t = time.perf_counter()
                        r = c.get(url, params={**q, "offset": off + 100 * j, "limit": 100})
                        ms.append((time.perf_counter() - t) * 1000)
                    print(f"  {url} {q} offset {off:>7,}: {fmt(ms)} (status {r.status_code})")
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--store", type=Path, help="an existing synthetic store to reuse")
    ap.add_argument("--port", type=int, default=18110)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-paging-") as tmp:
        path = args.store or Path(tmp) / "reg.sqlite"
        if args.store is None or not path.exists():
            t = time.perf_counter()
            store, _ = create_store(path, synthetic.stations(args.n, seed=11), by="init", why="synthetic benchmark")
            store.close()
            write_snapshot(path)
            print(f"store of {args.n:,} synthetic stations made in {time.perf_counter() - t:.0f} s")
        store = open_store(path)
        assert isinstance(store, SqliteStore)
        loc = Locator.from_store(store)
        n = len(loc.stations)
        print(f"{n:,} stations loaded; district-size box {BOX}")
        run_filters(loc, "before any edit", args.repeat)
        loc = edit(store, loc, n)
        run_filters(loc, "right after an edit", args.repeat)
        store.close()
        over_http(path, args.port, n)


if __name__ == "__main__":
    main()

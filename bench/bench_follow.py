"""Serving a store while it changes, on a SYNTHETIC store (locator.synthetic) in a temporary folder.

Usage: python bench/bench_follow.py [--n 200000] [--edits 50] [--port 18350]
       (`--n 1000000` for the full figure)

Prints, for `locator serve --workers 2` on an N-station SQLite store:
  * the time from starting `locator serve` to the first answered /nearest;
  * for EDITS single edits committed from this process (one station renamed and moved a little
    each), the delay until BOTH workers serve the new change sequence (p50 / p99 / max);
  * /nearest latency measured by a load loop during the edits (p50 / p99 / max), and before
    them for comparison;
  * RSS of each worker before and after the edits.
No asserts: numbers only.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from locator import synthetic
from locator.store import Change, create_store
from locator.where import write_snapshot

REPO = Path(__file__).resolve().parent.parent


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, Any]:
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, json.loads(body) if resp.status == 200 else body


def pin_workers(port: int, n: int, within_s: float = 300) -> dict[int, http.client.HTTPConnection]:
    conns: dict[int, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + within_s
    while len(conns) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"reached {len(conns)} of {n} workers within {within_s} s")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        pid = get(conn, "/healthz")[1]["worker"]
        if pid in conns:
            conn.close()
            time.sleep(0.02)
        else:
            conns[pid] = conn
    return conns


def rss_mb(pid: int) -> str:
    """RSS, split into private memory (anon) and mapped files (the shared columnar snapshot and
    the store's pages, in the page cache once for every worker)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return f"{fields['VmRSS']:.0f} MB (anon {fields['RssAnon']:.0f}, files {fields['RssFile']:.0f})"


def pct(values: list[float]) -> str:
    if not values:
        return "no samples"
    a = np.asarray(values) * 1000
    return f"p50 {np.percentile(a, 50):.1f} ms, p99 {np.percentile(a, 99):.1f} ms, max {a.max():.1f} ms (n={len(a)})"


class Load:
    """/nearest in a loop over one kept-alive connection per worker, alternating."""

    def __init__(self, conns: list[http.client.HTTPConnection]) -> None:
        self.conns = conns
        self.samples: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = random.Random(7)
        i = 0
        while not self._stop.is_set():
            lat, lon = 39.9 + rng.uniform(-0.1, 0.1), 116.4 + rng.uniform(-0.1, 0.1)
            t = time.perf_counter()
            status, _ = get(self.conns[i % len(self.conns)], f"/nearest?lat={lat:.5f}&lon={lon:.5f}&k=5")
            self.samples.append(time.perf_counter() - t)
            self.errors += status != 200
            i += 1

    def run_for(self, seconds: float) -> list[float]:
        self.start()
        time.sleep(seconds)
        return self.stop()

    def start(self) -> None:
        self.samples = []
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        return self.samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--port", type=int, default=18350)
    ap.add_argument("--no-snapshot", action="store_true", help="start as if no columnar snapshot existed")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-follow-"))
    env = dict(os.environ, XDG_DATA_HOME=str(tmp / "data"), XDG_CACHE_HOME=str(tmp / "cache"))
    env.pop("LOCATOR_REGISTRY", None)

    stations = synthetic.stations(args.n, seed=11)
    t = time.perf_counter()
    store, _ = create_store(tmp / "reg.sqlite", stations, by="init", why="synthetic benchmark registry")
    print(f"store of {args.n:,} synthetic stations created in {time.perf_counter() - t:.1f} s "
          f"({(tmp / 'reg.sqlite').stat().st_size / 1e6:.0f} MB)")  # fmt: skip
    if not args.no_snapshot:  # what `locator init` does after creating a store
        t = time.perf_counter()
        write_snapshot(tmp / "reg.sqlite")
        print(f"columnar snapshot written in {time.perf_counter() - t:.1f} s (as `locator init` does)")

    cmd = [sys.executable, "-m", "locator", "--registry", str(tmp / "reg.sqlite"), "serve"]
    cmd += ["--port", str(args.port), "--workers", "2", "--quiet", "--maps", str(tmp / "maps")]
    log = (tmp / "serve.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                if get(c, "/nearest?lat=39.9&lon=116.4&k=5")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"serve ended: {(tmp / 'serve.log').read_text()}")
            time.sleep(0.05)
        print(f"serve --workers 2: first /nearest answered {time.perf_counter() - t0:.1f} s after start")
        watch = pin_workers(args.port, 2)
        load = Load(list(pin_workers(args.port, 2).values()))
        pids = sorted(watch)
        print(f"both workers up {time.perf_counter() - t0:.1f} s after start")
        before = {pid: rss_mb(pid) for pid in pids}
        print("RSS before edits: " + ", ".join(f"worker {p} {before[p]}" for p in pids))
        print(f"/nearest latency at rest: {pct(load.run_for(3))}")

        rng = random.Random(3)
        delays: list[float] = []
        load.start()
        for _ in range(args.edits):
            st = stations[rng.randrange(len(stations))]
            cur = store.get(st.id)
            assert cur is not None
            moved = dataclasses.replace(
                cur.station, name=f"{st.name} 改", lon=cur.station.lon + 1e-4, lat=cur.station.lat + 1e-4
            )
            t = time.perf_counter()
            seq = store.commit([Change(st.id, moved, "edit")], by="bench", why="benchmark edit").latest
            assert seq is not None
            waiting = set(pids)
            while waiting:
                for pid in pids:  # every pinned connection, so none idles into its keep-alive timeout
                    if get(watch[pid], "/healthz")[1]["registry"]["seq"] >= seq:
                        waiting.discard(pid)
                time.sleep(0.005)
            delays.append(time.perf_counter() - t)
            time.sleep(0.1)
        during = load.stop()
        print(f"{args.edits} single edits, visible on both workers: {pct(delays)}")
        print(f"/nearest latency during the edits: {pct(during)}; errors {load.errors}")
        time.sleep(2)
        after = {pid: rss_mb(pid) for pid in pids}
        print("RSS after edits:  " + ", ".join(f"worker {p} {after[p]}" for p in pids))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        store.close()


if __name__ == "__main__":
    main()

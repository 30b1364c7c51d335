"""Serving a store while it changes, on a SYNTHETIC store (locator.synthetic) in a temporary folder.

Usage: python bench/bench_follow.py [--n 200000] [--edits 50] [--port 18350] [--dir DIR]
       (`--n 1000000` for the full figure; `--dir` keeps the store and its maps between runs)

Prints, for `locator serve --workers 2` on an N-station SQLite store:
  * the time from starting `locator serve` to the first answered /nearest;
  * for EDITS single edits committed from this process (one station renamed and moved a little
    each), the delay until BOTH workers serve the new change sequence (p50 / p99 / max);
  * /nearest latency measured by a load loop during the edits (p50 / p99 / max), and before
    them for comparison;
  * RSS of each worker (and of the serving supervisor, which follows the maps) before the
    edits, every 100 edits and after them, to show whether memory levels off;
  * when the maps caught up with the last edit.
No asserts: numbers only. Run it on another checkout's code with PYTHONPATH=that/checkout.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from locator import synthetic
from locator.columns import load_columns
from locator.store import Change, create_store, open_store
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


class Memory:
    """RSS of the workers and of the supervisor (`locator serve` itself, where the maps follow)."""

    def __init__(self, workers: list[int], supervisor: int) -> None:
        self.workers, self.supervisor = workers, supervisor

    def show(self, when: str) -> None:
        parts = [f"worker {p} {rss_mb(p)}" for p in self.workers]
        line = f"RSS {when}: " + ", ".join(parts) + f"; supervisor {rss_mb(self.supervisor)}"
        for pid in self.others():
            line += f"; {Path(f'/proc/{pid}/comm').read_text().strip()} {pid} {rss_mb(pid)}"
        print(line, flush=True)

    def others(self) -> list[int]:
        """The supervisor's other children (a maps follower process) with more than 50 MB."""
        try:
            kids = Path(f"/proc/{self.supervisor}/task/{self.supervisor}/children").read_text().split()
        except OSError:
            return []
        big = []
        for pid in map(int, kids):
            try:
                rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                continue
            if pid not in self.workers and rss > 50e6:
                big.append(pid)
        return big


def maps_caught_up(out: Path, seq: int, since: float, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if json.loads((out / ".build.json").read_bytes()).get("registry_seq") == seq:
                print(f"maps show the last edit {time.perf_counter() - since:.1f} s after it")
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    print(f"maps did not show the last edit within {within_s:.0f} s")


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
    ap.add_argument("--dir", type=Path, help="keep the store (and maps) here and reuse them in later runs")
    ap.add_argument("--maps-wait", type=float, default=0, help="seconds to wait for the maps to catch up")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    tmp = args.dir.resolve() if args.dir else Path(tempfile.mkdtemp(prefix="bench-follow-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp / "data"), XDG_CACHE_HOME=str(tmp / "cache"))
    env.pop("LOCATOR_REGISTRY", None)

    stations = synthetic.stations(args.n, seed=11)
    t = time.perf_counter()
    if (tmp / "reg.sqlite").exists():
        store = open_store(tmp / "reg.sqlite")
        print(f"kept store reused (head {store.head()})")
    else:
        store, _ = create_store(tmp / "reg.sqlite", stations, by="init", why="synthetic benchmark registry")
        print(f"store of {args.n:,} synthetic stations created in {time.perf_counter() - t:.1f} s "
              f"({(tmp / 'reg.sqlite').stat().st_size / 1e6:.0f} MB)")  # fmt: skip
    if not args.no_snapshot:  # what `locator init` does after creating a store
        t = time.perf_counter()
        load_columns(store, behind=1)  # a kept store: a snapshot at its head, as after `init`
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
        memory = Memory(pids, proc.pid)
        memory.show("before edits")
        print(f"/nearest latency at rest: {pct(load.run_for(3))}")

        rng = random.Random(3)
        delays: list[float] = []
        load.start()
        for n in range(1, args.edits + 1):
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
            if n % 100 == 0 and n < args.edits:
                memory.show(f"after {n} edits")
            time.sleep(0.1)
        during = load.stop()
        last_edit = time.perf_counter()
        print(f"{args.edits} single edits, visible on both workers: {pct(delays)}")
        print(f"/nearest latency during the edits: {pct(during)}; errors {load.errors}")
        time.sleep(2)
        memory.show(f"after {args.edits} edits + 2 s")
        if args.maps_wait > 0:
            maps_caught_up(tmp / "maps", seq, last_edit, args.maps_wait)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        store.close()
        if not args.dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

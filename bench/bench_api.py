"""HTTP benchmark of /nearest on a STORE of 1,000,000 SYNTHETIC stations (bounded: fixed duration, loopback).

Usage: python bench/bench_api.py [--n 1000000] [--duration 20] [--connections 32] [--no-workers]
Needs `wrk`, for this benchmark only (Debian: `apt-get install wrk`). Builds (once, kept in bench/out/)
a SQLite store of N synthetic stations with its columnar snapshot, as `locator init` does, and runs
one after the other on 127.0.0.1, with the same query points:
  1. `locator serve` (1 worker) on the store, as scripts/run.sh serves the default store: start-up
     time, memory, wrk with plain queries and with varied ones (amenity, amenity + open-now, k);
  2. the bare FastAPI + cKDTree baseline (bench/bare_app.py, the same N points), wrk, plain queries;
  3. unless --no-workers, `locator serve --workers 2`: wrk again, memory per worker.
Prints req/s, p50/p99 latency and the ratio ours/bare (the target is >= 0.8).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from locator import synthetic
from locator.store import create_store
from locator.where import write_snapshot

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
AMENITIES = ["microwave", "toilet", "hot_water", "phone_charging", "ebike_charging", "drinking_water"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def store_file(n: int) -> Path:
    """A store of n synthetic stations (seed 1, the points bare_app.py indexes) and its snapshot."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"synthetic-{n}.sqlite"
    if not path.exists():
        t0 = time.perf_counter()
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.new.sqlite")
        store, _ = create_store(tmp, synthetic.stations(n, seed=1), by="init", why="synthetic benchmark registry")
        store.close()
        tmp.rename(path)
        write_snapshot(path)
        print(f"created {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
    return path


def urls(count: int, filters: bool) -> list[str]:
    rng = np.random.default_rng(3)
    lon, lat = synthetic.sample_points(count, rng)
    rnd = random.Random(3)
    out = []
    for x, y in zip(lon.tolist(), lat.tolist(), strict=True):
        u = f"/nearest?lat={y:.6f}&lon={x:.6f}&k={rnd.choice([1, 3, 5, 5, 10])}"
        kind = rnd.random() if filters else 0.0
        if kind > 0.4:
            u += f"&amenity={rnd.choice(AMENITIES)}"
        if kind > 0.7:
            u += "&open_now=true"
        out.append(u)
    return out


def lua_script(paths: list[str]) -> Path:
    body = ",\n".join(f'"{p}"' for p in paths)
    text = f"local urls = {{\n{body}\n}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
    text += '  return wrk.format("GET", urls[(i % #urls) + 1])\nend\n'
    f = Path(tempfile.mkstemp(suffix=".lua")[1])
    f.write_text(text)
    return f


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/nearest?lat=39.9&lon=116.4", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start in time")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids or [pid]


def wrk(base: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    res: dict[str, float] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if m:
            scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
            res[f"p{pct}_ms"] = float(m.group(1)) * scale
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["errors"] = float(non2xx.group(1)) if non2xx else 0.0
    if errors:
        res["errors"] += sum(float(g) for g in errors.groups())
    res["requests"] = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return res


def run_server(cmd: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    return proc, base, wait_ready(base, proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    time.sleep(3)  # let the machine go quiet before the next phase


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, IndexError):
            pass
    return total


def wait_idle(pid: int, timeout: float = 300) -> None:
    """Wait until every worker has loaded and the maps follower (a child started 2 s after
    `serve`) has built the pages: their CPU time stops growing."""
    deadline = time.monotonic() + timeout
    time.sleep(3.0)
    last = -1.0
    while time.monotonic() < deadline:
        now = cpu_seconds(sorted({pid, *worker_pids(pid)}))
        if now - last < 0.05:
            return
        last = now
        time.sleep(1.0)


def report(name: str, r: dict[str, float]) -> None:
    print(
        f"{name:34s} {r['rps']:8.0f} req/s   p50 {r.get('p50_ms', 0):6.2f} ms   p99 {r.get('p99_ms', 0):6.2f} ms"
        f"   errors {r['errors']:.0f} of {r['requests']:.0f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--no-workers", action="store_true", help="skip the --workers 2 phase")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("install wrk: apt-get install wrk")
    store = store_file(args.n)
    home = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {**os.environ, "LOCATOR_REGISTRY": str(store), "BARE_N": str(args.n), "XDG_CACHE_HOME": str(home)}
    env.pop("LOCATOR_SERVE_SETTINGS", None)
    mixed = lua_script(urls(2000, filters=True))
    plain = lua_script(urls(2000, filters=False))
    py = sys.executable
    serve = [py, "-m", "locator", "serve", "--port", "{port}", "--quiet", "--maps", str(home / "maps")]
    serve += ["--reload-interval", "1"]
    print(f"{args.n:,} synthetic stations in {store.name}; wrk -t2 -c{args.connections} -d{args.duration}s")
    print("on the same 2 cores as the server (numbers are relative: compare within one run)")

    proc, base, startup = run_server(serve, env)
    wait_idle(proc.pid)  # the maps are built in the background at the first start: let them finish
    print(f"locator serve (1 worker): first /nearest in {startup:.1f} s, RSS {rss_mb(proc.pid):.0f} MB")
    ours_plain = wrk(base, plain, args.duration, args.connections)
    ours = wrk(base, mixed, args.duration, args.connections)
    stop(proc)

    bare_cmd = [py, "-m", "uvicorn", "--factory", "bench.bare_app:create", "--port", "{port}", "--log-level", "warning"]
    proc, base, _ = run_server(bare_cmd, env)
    bare = wrk(base, plain, args.duration, args.connections)
    stop(proc)
    report("ours, no filters", ours_plain)
    report("ours, varied (40% filtered+open)", ours)
    report("bare FastAPI + cKDTree, no filters", bare)
    print(
        f"ratio ours/bare (no filters): {ours_plain['rps'] / bare['rps']:.2f} (target >= 0.8); "
        f"varied/bare: {ours['rps'] / bare['rps']:.2f}"
    )
    if args.no_workers:
        return
    t0 = time.perf_counter()
    proc, base, _ = run_server([*serve, "--workers", "2"], env)
    wait_idle(proc.pid)
    startup2 = time.perf_counter() - t0
    mems = sorted((rss_mb(p) for p in worker_pids(proc.pid)), reverse=True)[:2]
    two = wrk(base, mixed, args.duration, args.connections)
    stop(proc)
    report("ours, 2 workers, varied", two)
    print(f"2 workers: idle after {startup2:.1f} s, RSS per worker {', '.join(f'{m:.0f} MB' for m in mems)}")


if __name__ == "__main__":
    main()

"""Map benchmark on SYNTHETIC registries (default 30,000 stations), loopback only, bounded.

Usage: python bench/bench_maps.py [--n 30000] [--lighthouse]
Reports: the index page's weight (HTML + its own script + data, raw and gzipped), build time,
time to first markers in headless Chromium (Debian's, via Playwright) with and without 4× CPU
throttling, and optionally Lighthouse (npm `lighthouse`, mobile profile) on the page served by
`locator serve`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from locator import synthetic
from locator.holidays import load_holidays
from locator.maps.build import plan, write
from locator.registry import save_registry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]  # fmt: skip


def page_weight(maps: Path) -> tuple[int, int]:
    """index.html with its own script and its station data (loaded by the engine, not a script tag)."""
    files = [
        maps / "index.html",
        *(maps / "assets").glob("page-index.*.js"),
        *(maps / "assets").glob("data-index.*.js"),
    ]
    files = [f for f in files if not f.name.endswith(".gz")]
    raw = sum(f.stat().st_size for f in files)
    gz = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    return raw, gz


def first_markers(url: str, throttle: float) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=FLAGS)
        ctx = b.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True)
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "file:"))
                  else r.abort())  # fmt: skip
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".lc-cluster, .lc-pin", timeout=60000)
        elapsed = time.perf_counter() - t0
        b.close()
    return elapsed


def lighthouse(url: str) -> dict[str, float]:
    tool = OUT / "node_modules" / ".bin" / "lighthouse"
    if not tool.exists():
        subprocess.run(["npm", "install", "--silent", "--prefix", str(OUT), "lighthouse@12"], check=True)
    report = Path(tempfile.mkstemp(suffix=".json")[1])
    flags = "--headless=new " + " ".join(FLAGS)
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
    cmd = [str(tool), url, "--quiet", "--output=json", f"--output-path={report}", f"--chrome-flags={flags}",
           "--only-categories=performance,accessibility,best-practices"]  # fmt: skip
    subprocess.run(cmd, env=env, check=True, timeout=300)
    doc = json.loads(report.read_text())
    scores = {k: round(v["score"] * 100) for k, v in doc["categories"].items()}
    audits = doc["audits"]
    scores["FCP_s"] = round(audits["first-contentful-paint"]["numericValue"] / 1000, 2)
    scores["LCP_s"] = round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2)
    scores["TBT_ms"] = round(audits["total-blocking-time"]["numericValue"])
    failing = [a["id"] for a in audits.values() if a.get("score") is not None and a["score"] < 0.9
               and a.get("scoreDisplayMode") in ("binary", "numeric")]  # fmt: skip
    print("lighthouse audits below 0.9:", ", ".join(sorted(failing)) or "none")
    return scores


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30_000)
    ap.add_argument("--lighthouse", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    stations = synthetic.stations(args.n, seed=5)
    registry = OUT / f"synthetic-{args.n}.geojson"
    save_registry(registry, stations)
    maps = OUT / f"maps-{args.n}"
    shutil.rmtree(maps, ignore_errors=True)
    cal = load_holidays()
    t0 = time.perf_counter()
    write(maps, plan(stations, cal, "bench"))
    build = time.perf_counter() - t0
    raw, gz = page_weight(maps)
    print(f"{args.n:,} synthetic stations: build {build:.2f} s; index page + data {raw / 1e6:.2f} MB "
          f"({gz / 1e6:.2f} MB gzipped)")  # fmt: skip

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port),
           "--maps", str(maps), "--quiet"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/maps/index.html"
    try:
        for _ in range(300):
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        for rate in (1, 4):
            runs = sorted(first_markers(url, rate) for _ in range(3))
            print(f"first markers in Chromium, CPU throttling {rate}x: median {runs[1]:.2f} s (runs {runs})")
        if args.lighthouse:
            print("lighthouse (mobile):", lighthouse(url))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()

"""A real `locator serve` reloading a synthetic registry 50 times: replaced registries are freed.

Every reload rewrites the file with one station changed, waits until /healthz shows the new
version, and asks for every station's feature (which fills the per-registry properties cache).
The bound is memory, not time: VmRSS after 50 reloads stays within 25 % of VmRSS after 5 (a
registry kept alive per reload grows it by several times that: a properties cache keyed by
`id()` and frozen, never-collected registries did).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from locator.model import Station
from locator.registry import save_registry
from locator.synthetic import stations
from tests.api.conftest import free_port
from tests.conftest import REPO, stop, wait_healthy

N = 6_000
RELOADS = 50
BOUND = 1.25


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int, Path, list[Station]]]:
    registry = tmp_path / "syn.geojson"
    base_stations = stations(N, seed=7)
    save_registry(registry, base_stations)
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    cmd += ["--reload-interval", "0.05", "--maps", str(tmp_path / "maps"), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: proc.stdout.read().decode() if proc.stdout else "", 120)
        yield base, proc.pid, registry, base_stations
    finally:
        stop(proc)


def test_rss_stays_flat_over_50_reloads(served: tuple[str, int, Path, list[Station]]) -> None:
    base, pid, registry, base_stations = served
    rss: dict[int, int] = {}
    with httpx.Client(base_url=base, timeout=30) as c:
        version = c.get("/healthz").json()["registry"]["version"]
        for i in range(1, RELOADS + 1):
            changed = [dataclasses.replace(base_stations[0], name=f"合成站点 改 {i}"), *base_stations[1:]]
            save_registry(registry, changed)
            deadline = time.monotonic() + 60
            while (now := c.get("/healthz").json()["registry"]["version"]) == version:
                assert time.monotonic() < deadline, f"reload {i} not picked up"
                time.sleep(0.02)
            version = now
            page = c.get("/stations", params={"limit": N})  # every feature: fills the properties cache
            assert page.status_code == 200 and page.json()["numberReturned"] > N // 2
            assert c.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 50}).status_code == 200
            if i in (5, RELOADS):
                rss[i] = rss_kb(pid)
    growth = rss[RELOADS] / rss[5]
    assert growth <= BOUND, f"VmRSS {rss[5] // 1024} MB after 5 reloads, {rss[RELOADS] // 1024} MB after {RELOADS}"

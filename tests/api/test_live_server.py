"""A real `locator serve` process on 127.0.0.1: HTTP over loopback, registry changes picked up live."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.api.conftest import STATIONS, write
from tests.conftest import station


def wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serves_over_http_and_reloads_live(server: tuple[str, Path]) -> None:
    base, registry = server
    with httpx.Client(base_url=base, timeout=5) as c:
        r = c.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 1})
        assert r.status_code == 200 and r.json()["features"][0]["id"] == "a-office"
        assert r.headers["x-content-type-options"] == "nosniff"

    # hammer the server from another thread while the registry changes twice (bounded: 400 requests)
    statuses: list[int] = []

    def load() -> None:
        with httpx.Client(base_url=base, timeout=5) as c:
            for _ in range(400):
                statuses.append(c.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 3}).status_code)

    worker = threading.Thread(target=load)
    worker.start()
    write(registry, [station("z-new", 116.380, 39.950), *STATIONS])
    with httpx.Client(base_url=base, timeout=5) as c:

        def new_station_served() -> bool:
            feats = c.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 1}).json()["features"]
            return bool(feats[0]["id"] == "z-new")

        assert wait_for(new_station_served)
        version = c.get("/healthz").json()["registry"]["version"]

        registry.write_text('{"type": "FeatureCollection", "features": [42]}')  # a broken edit
        assert wait_for(lambda: c.get("/healthz").json()["status"] == "degraded")
        health = c.get("/healthz").json()
        assert health["registry"]["version"] == version and health["last_reload_error"]["problems"]
        assert c.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 1}).json()["features"][0]["id"] == "z-new"
    worker.join(timeout=60)
    assert len(statuses) == 400 and set(statuses) == {200}

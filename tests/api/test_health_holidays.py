"""A holiday table that turns bad under a running server: it keeps serving, /healthz says why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from locator.holidays import DEFAULT_HOLIDAYS
from tests.api.conftest import free_port
from tests.conftest import REPO, stop, wait_healthy


@pytest.fixture
def served(registry: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    holidays = tmp_path / "holidays.csv"
    holidays.write_bytes(DEFAULT_HOLIDAYS.read_bytes())
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    cmd += ["--reload-interval", "0.2", "--maps", str(tmp_path / "maps"), "--quiet"]
    env = {**os.environ, "LOCATOR_HOLIDAYS": str(holidays)}
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: proc.stdout.read().decode() if proc.stdout else "", 30)
        yield base, holidays
    finally:
        stop(proc)


def _degraded(base: str) -> dict[str, object]:
    deadline = time.monotonic() + 10
    while True:
        body: dict[str, object] = httpx.get(f"{base}/healthz").json()
        if body["status"] != "ok" or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"date,kind,name\n2026-01-01,off," + "元旦\n".encode("gbk"), ":2: encoding: "),
        (b"date,kind,name\n2026-01-01,off,x\n2026-13-01,off,x\n", ":3: date: '2026-13-01' is not a YYYY-MM-DD date"),
        (b"date,kind,name\n2026-01-01,off,x,extra\n", ":2: row: has 4 cell(s), the header has 3"),
    ],
)
def test_bad_holiday_file_keeps_serving_and_health_says_degraded(
    served: tuple[str, Path], content: bytes, where: str
) -> None:
    base, holidays = served
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    holidays.write_bytes(content)
    body = _degraded(base)
    assert body["status"] == "degraded"
    err = body["last_reload_error"]
    assert isinstance(err, dict)
    assert any(str(holidays) + where in p for p in err["problems"]), err
    r = httpx.get(f"{base}/nearest", params={"lat": 39.95, "lon": 116.38, "at": "2026-10-05T10:00:00+08:00"})
    assert r.status_code == 200  # the last good data still serves: a golden-week Monday is off
    props = {f["id"]: f["properties"]["open"] for f in r.json()["features"]}
    assert props["a-office"] is False

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from locator.api.app import create_app
from locator.api.settings import ApiSettings
from locator.holidays import DEFAULT_HOLIDAYS
from locator.model import Station
from locator.registry import save_registry
from tests.conftest import REPO, station, stop, wait_healthy

STATIONS = [
    station("a-office", 116.380, 39.950, opening_hours="Mo-Fr 09:00-17:00; PH off", amenities=("microwave", "toilet")),
    station("b-always", 116.390, 39.950, opening_hours="24/7", amenities=("microwave",), district="西城区"),
    station("c-unknown", 116.400, 39.950, opening_hours=None, type="service_station"),
    station("d-gone", 116.381, 39.950, status="closed"),
    station("e-far", 121.47, 31.23, opening_hours="24/7", district="上海"),
]


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "reg.geojson"
    save_registry(path, STATIONS)
    return path


@pytest.fixture
def client(registry: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = ApiSettings(
        registry=registry, holidays=DEFAULT_HOLIDAYS, maps_dir=tmp_path / "maps", reload_interval_s=0
    )
    with TestClient(create_app(settings)) as c:
        yield c


def write(path: Path, stations: list[Station]) -> None:
    save_registry(path, stations)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(registry: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    cmd += ["--reload-interval", "0.2", "--maps", str(tmp_path / "maps"), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: proc.stdout.read().decode() if proc.stdout else "", 30)
        yield base, registry
    finally:
        stop(proc)

"""Shared builders for tests: small registries written to real files."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from locator.model import Station
from locator.registry import save_registry

REPO = Path(__file__).resolve().parent.parent


def station(sid: str, lon: float = 116.38, lat: float = 39.95, **kw: Any) -> Station:
    base: dict[str, Any] = {
        "name": f"测试站点 {sid}",
        "type": "warm_station",
        "amenities": ("drinking_water",),
        "opening_hours": "24/7",
        "source": "test fixture (synthetic)",
    }
    base.update(kw)
    return Station(id=sid, lon=lon, lat=lat, **base)


@pytest.fixture(scope="session")
def _default_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from locator.registry import DEFAULT_REGISTRY, load_registry
    from locator.where import SHIPPED_WHY, make_store

    path = tmp_path_factory.mktemp("template") / "registry.sqlite"
    make_store(path, load_registry(DEFAULT_REGISTRY).stations, by="init", why=SHIPPED_WHY)
    return path


@pytest.fixture(autouse=True)
def data_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, _default_store_template: Path
) -> Path:
    """XDG_DATA_HOME of every test (and of the processes it starts): a fresh folder, so nothing is
    read from or made in the home folder. It holds the default store, made from the shipped data
    as on first use; `empty_data_home` is one without it."""
    path = tmp_path_factory.mktemp("data-home")
    (path / "locator").mkdir()
    shutil.copyfile(_default_store_template, path / "locator" / "registry.sqlite")
    monkeypatch.setenv("XDG_DATA_HOME", str(path))
    monkeypatch.delenv("LOCATOR_REGISTRY", raising=False)
    return path


@pytest.fixture
def empty_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An XDG_DATA_HOME with no default store yet (its first use makes it)."""
    path = tmp_path_factory.mktemp("empty-data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(path))
    return path


@pytest.fixture
def write_registry(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(stations: list[Station], name: str = "reg.geojson") -> Path:
        path = tmp_path / name
        save_registry(path, stations)
        return path

    return write


def wait_healthy(base: str, proc: subprocess.Popen[Any], output: Callable[[], str], timeout_s: float = 60) -> None:
    """Wait until a `locator serve` process answers /healthz; fail with its output if it dies or stalls."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"server did not start:\n{output()}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 10 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()

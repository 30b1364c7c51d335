"""Shared builders for tests: small registries written to real files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.fixture
def write_registry(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(stations: list[Station], name: str = "reg.geojson") -> Path:
        path = tmp_path / name
        save_registry(path, stations)
        return path

    return write

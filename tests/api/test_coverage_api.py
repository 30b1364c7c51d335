"""GET /coverage, /coverage/hours and /coverage/uncovered on a small registry (in-process app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from locator.api.app import create_app
from locator.api.settings import ApiSettings
from locator.holidays import DEFAULT_HOLIDAYS
from locator.registry import save_registry
from tests.conftest import station

STATIONS = [
    station("xc-always", 116.366, 39.912, opening_hours="24/7", district="西城区"),
    station("cy-office", 116.486, 39.948, opening_hours="Mo-Fr 09:00-17:00; PH off", district="朝阳区"),
    station("sh-far", 121.47, 31.23, opening_hours="24/7", district="上海"),
]
HOLIDAY_NIGHT = "2026-10-03T23:00:00+08:00"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    registry = tmp_path / "reg.geojson"
    save_registry(registry, STATIONS)
    settings = ApiSettings(
        registry=registry, holidays=DEFAULT_HOLIDAYS, maps_dir=tmp_path / "maps", reload_interval_s=0
    )
    with TestClient(create_app(settings)) as c:
        yield c


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in doc["districts"]}


def test_coverage_is_the_contract_shape(client: TestClient) -> None:
    r = client.get("/coverage", params={"at": HOLIDAY_NIGHT, "open_now": "true"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json" and r.headers["etag"]
    doc = r.json()
    assert {"at", "radius_m", "districts", "outside"} <= set(doc) <= {"at", "radius_m", "districts", "outside", "total"}
    assert doc["at"].startswith("2026-10-03T23:00") and doc["radius_m"] == 1000 and doc["outside"] == 1
    by = rows(doc)
    assert len(by) == 16 and all(0 <= d["covered_share"] <= 1 for d in by.values())
    assert (by["朝阳区"]["stations"], by["朝阳区"]["open"], by["朝阳区"]["covered_share"]) == (1, 0, 0)
    assert by["西城区"]["open"] == 1 and by["西城区"]["covered_share"] > 0


def test_same_answer_as_the_command_line_core(client: TestClient) -> None:
    every = rows(client.get("/coverage", params={"at": HOLIDAY_NIGHT, "radius": 2000}).json())
    assert every["朝阳区"]["covered_share"] > 0  # without open_now its hours do not matter
    wider = rows(client.get("/coverage", params={"at": HOLIDAY_NIGHT, "radius": 4000}).json())
    assert wider["西城区"]["covered_share"] > every["西城区"]["covered_share"]
    typed = rows(client.get("/coverage", params={"at": HOLIDAY_NIGHT, "type": "service_station"}).json())
    assert all(d["covered_share"] == 0 for d in typed.values())


def test_hour_curve(client: TestClient) -> None:
    r = client.get("/coverage/hours", params={"radius": 1500})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["radius_m"] == 1500 and set(doc["days"]) == {"workday", "saturday", "holiday"}
    curve = doc["districts"]["朝阳区"]
    assert all(len(curve[k]) == 24 for k in doc["days"])
    assert curve["workday"][10] > 0 and curve["workday"][3] == 0


def test_uncovered_is_geojson_of_the_districts(client: TestClient) -> None:
    r = client.get("/coverage/uncovered", params={"at": HOLIDAY_NIGHT, "open_now": "true"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in doc["features"]}
    assert "延庆区" in names and "朝阳区" in names
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in doc["features"])


@pytest.mark.parametrize(
    ("path", "query", "param"),
    [
        ("/coverage", "radius=0", "radius"),
        ("/coverage", "radius=50001", "radius"),
        ("/coverage", "radius=far", "radius"),
        ("/coverage", "at=yesterday", "at"),
        ("/coverage", "at=1999-01-01T10:00", "at"),
        ("/coverage", "amenity=sauna", "amenity"),
        ("/coverage", "type=castle", "type"),
        ("/coverage", "open_now=perhaps", "open_now"),
        ("/coverage", "k=3", "k"),
        ("/coverage/hours", "radius=-5", "radius"),
        ("/coverage/hours", "at=2026-10-03T23:00", "at"),  # the curve covers every hour: no `at`
        ("/coverage/uncovered", "radius=1e9", "radius"),
    ],
)
def test_bad_parameters_are_400_naming_them(client: TestClient, path: str, query: str, param: str) -> None:
    r = client.get(f"{path}?{query}")
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["parameter"] == param and body["description"]


def test_declared_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/coverage", "/coverage/hours", "/coverage/uncovered"):
        assert "400" in paths[p]["get"]["responses"]
    names = {q["name"] for q in paths["/coverage"]["get"]["parameters"]}
    assert names == {"at", "radius", "amenity", "type", "open_now"}

"""Endpoints through the app factory (in-process ASGI)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from locator.coords import from_wgs84

HOLIDAY_AT = "2026-10-05T10:00:00+08:00"
MONDAY_AT = "2026-11-23T10:00"


def test_nearest_geojson_with_open_state(client: TestClient) -> None:
    r = client.get("/nearest", params={"lat": 39.95, "lon": 116.38, "k": 3, "at": MONDAY_AT})
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    ids = [f["id"] for f in doc["features"]]
    assert ids == ["a-office", "b-always", "c-unknown"]  # d-gone is closed for good: never returned
    a = doc["features"][0]["properties"]
    assert a["distance_m"] == 0 and a["open"] is True and a["next_change"] == "2026-11-23T17:00+08:00"
    assert a["opening_hours_zh"] == "周一至周五 09:00–17:00，法定节假日休息"
    assert doc["features"][2]["properties"]["open"] is None
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [116.38, 39.95]}


def test_open_now_on_a_holiday_and_amenities(client: TestClient) -> None:
    params = {"lat": 39.95, "lon": 116.38, "open_now": "true", "at": HOLIDAY_AT, "amenity": ["microwave"]}
    assert [f["id"] for f in client.get("/nearest", params=params).json()["features"]] == ["b-always"]
    params["amenity"] = ["microwave", "toilet"]
    params["at"] = MONDAY_AT
    assert [f["id"] for f in client.get("/nearest", params=params).json()["features"]] == ["a-office"]


def test_crs_in_and_out(client: TestClient) -> None:
    glon, glat = (float(v) for v in from_wgs84(116.38, 39.95, "gcj02"))
    r = client.get("/nearest", params={"lat": glat, "lon": glon, "k": 1, "crs": "gcj02"}).json()
    f = r["features"][0]
    assert f["id"] == "a-office" and f["properties"]["distance_m"] < 0.01
    assert f["geometry"]["coordinates"] == pytest.approx([glon, glat], abs=1e-7)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"lat": 91, "lon": 116}, "lat"),
        ({"lat": 39.9, "lon": "abc"}, "lon"),
        ({"lat": "NaN", "lon": 116}, "lat"),
        ({"lat": "1e400", "lon": 116}, "lat"),
        ({"lat": 39.9, "lon": 116, "k": 0}, "k"),
        ({"lat": 39.9, "lon": 116, "k": 10**9}, "k"),
        ({"lat": 39.9, "lon": 116, "amenity": "sauna"}, "amenity"),
        ({"lat": 39.9, "lon": 116, "type": "hotel"}, "type"),
        ({"lat": 39.9, "lon": 116, "crs": "epsg3857"}, "crs"),
        ({"lat": 39.9, "lon": 116, "at": "2026-13-45"}, "at"),
        ({"lat": 39.9, "lon": 116, "max_distance_m": -3}, "max_distance_m"),
        ({"lon": 116}, "lat"),
    ],
)
def test_bad_input_is_400_naming_the_parameter(client: TestClient, params: dict, name: str) -> None:  # type: ignore[type-arg]
    r = client.get("/nearest", params=params)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["parameter"] == name and body["code"] == "invalid_parameter" and body["description"]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "116,40,117,39", "116,95,117,96", "1e2,39,117,40", ""])
def test_bad_bbox(client: TestClient, bbox: str) -> None:
    r = client.get("/stations", params={"bbox": bbox})
    assert r.status_code == 400 and r.json()["parameter"] == "bbox"


def test_stations_listing_paging_and_filters(client: TestClient) -> None:
    doc = client.get("/stations", params={"limit": 2}).json()
    assert doc["numberMatched"] == 4 and doc["numberReturned"] == 2  # closed station left out
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert "next" in rels and "prev" not in rels
    nxt = client.get(rels["next"]).json()
    assert [f["id"] for f in nxt["features"]] == ["c-unknown", "e-far"]
    beijing = client.get("/stations", params={"bbox": "116,39,117,41"}).json()
    assert [f["id"] for f in beijing["features"]] == ["a-office", "b-always", "c-unknown"]
    typed = client.get("/stations", params={"type": "service_station"}).json()
    assert [f["id"] for f in typed["features"]] == ["c-unknown"]
    assert [f["id"] for f in client.get("/stations", params={"amenity": "toilet"}).json()["features"]] == ["a-office"]


def test_station_by_id(client: TestClient) -> None:
    r = client.get("/stations/d-gone")
    assert r.status_code == 200 and r.json()["properties"]["status"] == "closed"
    assert r.json()["properties"]["open"] is False
    r = client.get("/stations/nope")
    assert r.status_code == 404 and r.json() == {
        "code": "not_found",
        "parameter": "id",
        "description": "no station with id 'nope'",
    }


def test_ogc_api_features(client: TestClient) -> None:
    landing = client.get("/", headers={"accept": "application/json"}).json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    assert client.get("/?f=json").status_code == 200
    conf = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = client.get("/collections").json()
    assert [c["id"] for c in cols["collections"]] == ["stations"]
    items = client.get("/collections/stations/items", params={"limit": 1, "offset": 1}).json()
    assert items["numberMatched"] == 4 and items["numberReturned"] == 1
    assert {link["rel"] for link in items["links"]} == {"self", "next", "prev"}
    one = client.get("/collections/stations/items/b-always").json()
    assert one["id"] == "b-always" and one["links"][0]["rel"] == "self"
    assert client.get("/collections/stations/items/zzz").status_code == 404


def test_browser_front_door_goes_to_the_map(client: TestClient) -> None:
    r = client.get("/", headers={"accept": "text/html,application/xhtml+xml"}, follow_redirects=False)
    assert r.status_code == 307


def test_cache_headers_follow_the_registry(client: TestClient, registry) -> None:  # type: ignore[no-untyped-def]
    params = {"lat": 39.95, "lon": 116.38, "at": MONDAY_AT}
    r = client.get("/nearest", params=params)
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, max-age=300"
    again = client.get("/nearest", params=params, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    from tests.api.conftest import STATIONS, write
    from tests.conftest import station

    write(registry, [*STATIONS, station("f-new", 116.5, 39.9)])
    assert client.app.state.holder.check()  # type: ignore[attr-defined]
    r2 = client.get("/nearest", params=params)
    assert r2.headers["etag"] != etag


def test_security_and_cors_headers(client: TestClient) -> None:
    r = client.get("/healthz", headers={"origin": "https://example.org"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["access-control-allow-origin"] == "*"
    assert client.get("/maps/index.html").headers["content-security-policy"].startswith("default-src 'self'")


def test_gzip(client: TestClient) -> None:
    r = client.get("/stations", headers={"accept-encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"


@pytest.mark.parametrize("path", ["/maps/../pyproject.toml", "/maps/%2e%2e/pyproject.toml", "/maps/..%2fREADME.md"])
def test_maps_route_cannot_be_walked_out_of(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and b"[project]" not in r.content


def test_healthz(client: TestClient) -> None:
    h = client.get("/healthz").json()
    assert h["status"] == "ok" and h["registry"]["stations"] == 5 and h["registry"]["searchable"] == 4
    assert h["holidays"]["first_year"] == 2020 and h["holidays"]["last_year"] >= 2026
    assert h["last_reload_error"] is None


def test_broken_registry_keeps_serving(client: TestClient, registry) -> None:  # type: ignore[no-untyped-def]
    version = client.get("/healthz").json()["registry"]["version"]
    registry.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    assert client.app.state.holder.check() is False  # type: ignore[attr-defined]
    h = client.get("/healthz").json()
    assert h["status"] == "degraded" and h["registry"]["version"] == version
    assert h["last_reload_error"]["problems"]
    assert client.get("/nearest", params={"lat": 39.95, "lon": 116.38}).status_code == 200


def test_openapi_documents_every_parameter_in_two_languages(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            for p in op.get("parameters", []):
                d = p.get("description", "")
                assert " · " in d, (path, p["name"])
            assert "422" not in op["responses"]


def test_cors_preflight(client: TestClient) -> None:
    r = client.options(
        "/nearest",
        headers={"origin": "https://app.example", "access-control-request-method": "GET",
                 "access-control-request-headers": "x-requested-with"},
    )  # fmt: skip
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "GET" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "x-requested-with"


def test_head_and_fast_route_agree_with_docs(client: TestClient) -> None:
    assert client.head("/nearest", params={"lat": 39.95, "lon": 116.38}).status_code == 200
    params = client.get("/openapi.json").json()["paths"]["/nearest"]["get"]["parameters"]
    assert [p["name"] for p in params] == [
        "lat",
        "lon",
        "k",
        "crs",
        "amenity",
        "type",
        "open_now",
        "at",
        "max_distance_m",
    ]

"""HTTP semantics the OpenAPI document and the RFCs promise: methods, caching, encodings, unknown
parameters, OGC `datetime`, repeated `amenity`, and links that never come from the Host header."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from locator.api.app import create_app
from locator.api.responses import accepts_gzip
from locator.api.settings import ApiSettings, public_url
from locator.errors import InvalidParameter
from locator.holidays import DEFAULT_HOLIDAYS

GETS = [
    "/",
    "/healthz",
    "/conformance",
    "/collections",
    "/collections/stations",
    "/collections/stations/items",
    "/collections/stations/items/a-office",
    "/nearest?lat=39.95&lon=116.38",
    "/stations",
    "/stations/a-office",
]
JSON = {"accept": "application/json"}


@pytest.mark.parametrize("path", GETS)
def test_head_works_wherever_get_does(client: TestClient, path: str) -> None:
    get = client.get(path, headers=JSON)
    head = client.head(path, headers=JSON)
    assert get.status_code == 200 and head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("etag") == get.headers.get("etag")


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE"])
def test_405_names_the_allowed_methods(client: TestClient, path: str, method: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        ("gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, identity", False),
        ("GZIP;Q=0.5", True),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),  # the explicit entry wins over the wildcard
        ("deflate, br", False),
        ("identity", False),
        ("gzip;q=abc", False),
        ("x-gzip", True),
    ],
)
def test_accept_encoding_q_values(client: TestClient, header: str, gzipped: bool) -> None:
    assert accepts_gzip(header) is gzipped
    r = client.get("/stations", headers={"accept-encoding": header})
    assert r.status_code == 200
    assert (r.headers.get("content-encoding") == "gzip") is gzipped
    assert r.json()["numberMatched"] == 4  # httpx decodes what was sent either way


def test_static_pages_honour_q_values_and_304(tmp_path: Path, registry: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    page = b"<!doctype html><title>map</title>" + b"x" * 2000
    (maps / "index.html").write_bytes(page)
    (maps / "index.html.gz").write_bytes(gzip.compress(page))
    settings = ApiSettings(registry=registry, holidays=DEFAULT_HOLIDAYS, maps_dir=maps, reload_interval_s=0)
    with TestClient(create_app(settings)) as c:
        assert c.get("/maps/index.html", headers={"accept-encoding": "gzip"}).headers["content-encoding"] == "gzip"
        plain = c.get("/maps/index.html", headers={"accept-encoding": "gzip;q=0"})
        assert "content-encoding" not in plain.headers and plain.content == page
        for enc in ("gzip", "identity"):
            first = c.get("/maps/index.html", headers={"accept-encoding": enc})
            again = c.get("/maps/index.html", headers={"accept-encoding": enc, "if-none-match": first.headers["etag"]})
            assert again.status_code == 304, enc
            assert again.headers["vary"] == "Accept-Encoding" and again.headers["etag"] == first.headers["etag"]
            assert again.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", [p for p in GETS if p not in ("/", "/healthz", "/conformance", "/collections", "/collections/stations")]
)
def test_304_keeps_vary_etag_and_cache_control(client: TestClient, path: str) -> None:
    first = client.get(path)
    r = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert r.status_code == 304
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["etag"] == first.headers["etag"]
    assert r.headers["cache-control"] == first.headers["cache-control"]


@pytest.mark.parametrize("path", GETS)
def test_unknown_query_parameter_is_400_naming_it(client: TestClient, path: str) -> None:
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}colour=red", headers=JSON)
    assert r.status_code == 400, path
    body = r.json()
    assert body["parameter"] == "colour" and "unknown query parameter" in body["description"]


def test_ogc_f_parameter_is_declared_and_checked(client: TestClient) -> None:
    for path in ("/conformance", "/collections", "/collections/stations"):
        assert client.get(path, params={"f": "json"}).status_code == 200
        assert client.get(path, params={"f": "xml"}).json()["parameter"] == "f"
    for path in ("/collections/stations/items", "/collections/stations/items/a-office"):
        assert client.get(path, params={"f": "geojson"}).status_code == 200
    assert client.get("/", params={"f": "json"}).status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-28T10:00:00+08:00",
        "2026-02-28t02:00:00z",
        "2026-02-28T10:00:00.123456789-00:00",
        "2016-12-31T23:59:60Z",
        "2026-01-01T00:00:00Z/2026-12-31T00:00:00Z",
        "../2026-01-01T00:00:00Z",
        "/2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z/..",
        "2026-01-01T00:00:00Z/",
        "0001-01-01T00:00:00Z/9999-12-31T23:59:59Z",
    ],
)
def test_ogc_datetime_instants_and_intervals_match_every_station(client: TestClient, value: str) -> None:
    r = client.get("/collections/stations/items", params={"datetime": value})
    assert r.status_code == 200, r.text
    assert r.json()["numberMatched"] == 4


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-28",
        "2026-02-30T00:00:00Z",
        "../..",
        "/",
        "",
        "2026-02-28T10:00",
        "2027-01-01T00:00:00Z/2026-01-01T00:00:00Z",
        "a/b/c",
    ],
)
def test_ogc_datetime_malformed_is_400(client: TestClient, value: str) -> None:
    r = client.get("/collections/stations/items", params={"datetime": value})
    assert r.status_code == 400 and r.json()["parameter"] == "datetime"


@pytest.mark.parametrize("at", ["2026-11-23t10:00:00z", "2026-11-23T10:00:00.1234567+08:00", "2016-12-31T23:59:60Z"])
def test_every_rfc3339_at_is_accepted(client: TestClient, at: str) -> None:
    for path in ("/nearest?lat=39.95&lon=116.38", "/stations", "/stations/a-office", "/collections/stations/items"):
        sep = "&" if "?" in path else "?"
        assert client.get(f"{path}{sep}at={at.replace('+', '%2B')}").status_code == 200, (path, at)


def test_stations_repeated_amenity_requires_all(client: TestClient) -> None:
    def ids(*amenities: str) -> list[str]:
        r = client.get("/stations", params={"amenity": list(amenities)})
        assert r.status_code == 200
        return [f["id"] for f in r.json()["features"]]

    assert ids("microwave") == ["a-office", "b-always"]
    assert ids("toilet", "microwave") == ["a-office"]  # before: only the last one counted
    assert ids("microwave", "toilet") == ["a-office"]
    assert client.get("/stations", params={"amenity": ["microwave", "nope"]}).json()["parameter"] == "amenity"


def test_bbox_across_the_antimeridian(client: TestClient) -> None:
    r = client.get("/stations", params={"bbox": "170,-10,-170,10"})
    assert r.status_code == 200 and r.json()["numberMatched"] == 0
    everything = client.get("/stations", params={"bbox": "-1,-90,-2,90"}).json()  # all but lon -2..-1
    assert everything["numberMatched"] == 4


@pytest.fixture
def public_client(registry: Path, tmp_path: Path) -> Iterator[TestClient]:
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "index.html").write_text("<!doctype html><title>map</title>")
    settings = ApiSettings(
        registry=registry,
        holidays=DEFAULT_HOLIDAYS,
        maps_dir=maps,
        reload_interval_s=0,
        public_url="https://stations.example.cn",
    )
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def _hrefs(doc: object) -> list[str]:
    if isinstance(doc, dict):
        found = [doc["href"]] if isinstance(doc.get("href"), str) else []
        return found + [h for v in doc.values() for h in _hrefs(v)]
    if isinstance(doc, list):
        return [h for v in doc for h in _hrefs(v)]
    return []


EVIL = {"host": "evil.example", "x-forwarded-host": "evil.example", "accept": "application/json"}


@pytest.mark.parametrize(
    "path", ["/", "/collections", "/collections/stations", "/collections/stations/items?limit=1", "/stations?limit=1"]
)
def test_links_use_the_public_url_never_the_host_header(public_client: TestClient, path: str) -> None:
    r = public_client.get(path, headers=EVIL)
    assert r.status_code == 200
    hrefs = _hrefs(r.json())
    assert hrefs and all(h.startswith("https://stations.example.cn/") for h in hrefs), hrefs
    assert "evil.example" not in r.text


@pytest.mark.parametrize("path", ["/maps", "/stations/", "/collections/"])
def test_redirects_use_the_public_url_never_the_host_header(public_client: TestClient, path: str) -> None:
    r = public_client.get(path, headers=EVIL)
    assert r.status_code in (301, 307, 308), (path, r.status_code)
    location = r.headers["location"]
    assert "evil.example" not in location
    assert location.startswith(("https://stations.example.cn/", "/")), location


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://stations.example.cn", "https://stations.example.cn"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("ftp://x", None),
        ("stations.example.cn", None),
        ("https://x/prefix", None),
        ("https://x:99999", None),
        ("https://user:pw@x", None),
    ],
)
def test_public_url_is_checked(value: str, ok: str | None) -> None:
    if ok is None:
        with pytest.raises(InvalidParameter):
            public_url(value)
    else:
        assert public_url(value) == ok

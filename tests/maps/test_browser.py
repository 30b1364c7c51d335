"""The station map in a real headless Chromium, served by a real `locator serve`."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from locator.coords import point_from_wgs84
from locator.registry import save_registry
from tests.conftest import REPO, station
from tests.maps.conftest import ARTIFACTS, open_page

BJ = dt.timezone(dt.timedelta(hours=8))
OFFICE = "Mo-Fr 09:00-17:00; PH off"
STATIONS = [
    station("t-office", 116.3800, 39.9500, name="测试工会服务站", type="service_station", opening_hours=OFFICE,
            amenities=("toilet",), district="西城区", phone="010-12351", address="西城区测试路1号"),
    station("t-always", 116.3900, 39.9530, name="测试暖心驿站", opening_hours="24/7",
            amenities=("microwave", "hot_water"), district="西城区", coord_precision="approximate"),
    station("t-unknown", 116.4100, 39.9400, name="时间未知驿站", opening_hours=None, district="东城区"),
    station("t-far", 116.6000, 39.9000, name="远处驿站", opening_hours="24/7", amenities=("microwave",), district="朝阳区"),
    station("t-gone", 116.3810, 39.9510, name="已撤销驿站", status="closed", district="西城区"),
]  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("maps")
    registry = tmp / "reg.geojson"
    save_registry(registry, STATIONS)
    maps = tmp / "maps"
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--maps", str(maps), "--quiet"], cwd=REPO, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/maps/index.html", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("server with maps did not start")
        yield base, maps
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def shown(page: Page, count: int) -> None:
    """Wait until the map shows `count` stations (the engine answers asynchronously). Polled from
    Python: the page's CSP (no 'unsafe-eval') rightly refuses Playwright's in-page polling."""
    deadline = time.monotonic() + 10
    while (now := page.get_attribute("body", "data-shown")) != str(count):
        assert time.monotonic() < deadline, f"map shows {now} stations, expected {count}"
        page.wait_for_timeout(50)


def load(page: Page, url: str, at: dt.datetime | None = None) -> None:
    if at is not None:
        page.clock.install(time=at)
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=20000)


def test_map_loads_with_stations_and_nothing_but_tiles_from_outside(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, traffic = open_page(browser)
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    shown(page, 4)  # the closed station is not on the map
    page.wait_for_selector(".lc-pin, .lc-cluster")
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "map-index.png"))
    assert traffic.errors == []
    assert traffic.blocked == []  # no CDN, no font host, nothing but tiles
    assert traffic.tiles and all("autonavi.com" in t for t in traffic.tiles)  # Amap is the default basemap
    page.context.close()


def test_popup_hours_and_navigation_on_a_holiday(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, traffic = open_page(browser)
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 10, 5, 10, 0, tzinfo=BJ))  # golden-week Monday
    page.get_by_role("button", name="测试工会服务站").click()  # the nearest list opens the popup
    popup = page.locator(".lc-popup")
    popup.wait_for()
    assert "开放时间：周一至周五 09:00–17:00，法定节假日休息" in popup.inner_text()
    assert "已关门 · 10月8日 09:00 开门" in popup.inner_text()
    nav = popup.get_by_role("link", name="导航 · 步行")
    href = nav.get_attribute("href") or ""
    glon, glat = point_from_wgs84(116.38, 39.95, "gcj02")
    assert href.startswith(f"https://uri.amap.com/navigation?to={glon:.6f},{glat:.6f},")
    assert "mode=walk" in href and "coordinate=gaode" in href
    assert popup.get_by_role("link", name="电话 010-12351").get_attribute("href") == "tel:010-12351"
    assert traffic.errors == []
    page.context.close()


def test_make_up_workday_is_open_and_markers_sit_on_gcj02(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, _traffic = open_page(browser)
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 2, 28, 10, 0, tzinfo=BJ))  # 调休 Saturday
    page.get_by_role("button", name="测试工会服务站").click()
    text = page.locator(".lc-popup").inner_text()
    assert "营业中 · 17:00 关门" in text
    latlng = page.evaluate("() => { const p = window.LOCATOR_APP.popupLatLng(); return p && [p[1], p[0]]; }")
    glon, glat = point_from_wgs84(116.38, 39.95, "gcj02")
    assert latlng == pytest.approx([glon, glat], abs=1e-6)
    page.context.close()


def test_filters_change_what_is_shown(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, traffic = open_page(browser)
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    shown(page, 4)
    assert not page.get_by_role("button", name="🍱 热饭").is_visible()  # filters start folded away
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("button", name="🍱 热饭").click()
    shown(page, 2)
    page.get_by_role("button", name="🟢 营业中").click()  # both microwave stations are 24/7: still 2
    page.get_by_role("button", name="🍱 热饭").click()
    shown(page, 3)  # open on Monday 10:00: the office and the two 24/7 stations, not the unknown one
    page.get_by_label("搜索站点名称或地址").fill("远处")
    shown(page, 1)
    assert traffic.errors == []
    page.context.close()


def test_nearest_list_answers_faked_geolocation(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, traffic = open_page(browser, geolocation={"latitude": 39.901, "longitude": 116.599})
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    page.get_by_role("button", name="定位到我的位置").click()
    page.locator(".lc-near h2", has_text="离我最近").wait_for()
    first = page.locator(".lc-near-name").first.inner_text()
    assert first == "远处驿站"
    assert "米" in page.locator(".lc-near-meta").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "map-located.png"))
    assert traffic.errors == []
    page.context.close()


def test_page_opened_from_disk(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    _, maps = served
    page, traffic = open_page(browser)
    load(page, (maps / "district-xicheng.html").as_uri())
    shown(page, 2)
    assert traffic.errors == [] and traffic.blocked == []
    page.context.close()


def test_served_with_csp_compression_and_cache(served) -> None:  # type: ignore[no-untyped-def]
    base, maps = served
    r = httpx.get(f"{base}/maps/index.html", headers={"accept-encoding": "gzip"})
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-cache"
    asset = next(p.name for p in (maps / "assets").glob("leaflet.*.js"))
    a = httpx.get(f"{base}/maps/assets/{asset}", headers={"accept-encoding": "gzip"})
    assert a.headers["content-encoding"] == "gzip" and "immutable" in a.headers["cache-control"]
    assert a.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert int(a.headers["content-length"]) < (maps / "assets" / asset).stat().st_size / 2
    assert httpx.get(f"{base}/", headers={"accept": "text/html"}, follow_redirects=True).url.path == "/maps/"


def test_osm_basemap_puts_markers_on_wgs84(browser: Browser, served) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    page, traffic = open_page(browser)
    load(page, f"{base}/maps/index.html", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    # the layer switcher's own radio input (Leaflet fires `baselayerchange` from its click handler)
    page.evaluate("() => document.querySelectorAll('.leaflet-control-layers-base input')[1].click()")
    assert page.evaluate("() => map_map.hasLayer(tile_layer_osm) && !map_map.hasLayer(tile_layer_amap)")
    page.get_by_role("button", name="测试工会服务站").click()
    page.locator(".lc-popup").wait_for()
    latlng = page.evaluate("() => { const p = window.LOCATOR_APP.popupLatLng(); return p && [p[1], p[0]]; }")
    assert latlng == pytest.approx([116.38, 39.95], abs=1e-9)  # OSM tiles are WGS-84: no shift
    assert any("tile.openstreetmap.org" in t for t in traffic.tiles)
    assert traffic.errors == [] and traffic.blocked == []
    page.context.close()

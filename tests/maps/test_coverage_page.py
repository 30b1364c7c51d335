"""The planners' page coverage.html in a real headless Chromium: built by `locator build-maps`,
opened from disk (embedded data) and served by a real `locator serve` (asks the API)."""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from locator.registry import save_registry
from tests.conftest import REPO, station
from tests.maps.conftest import ARTIFACTS, open_page

OFFICE = "Mo-Fr 09:00-17:00; PH off"
STATIONS = [
    station("xc-always", 116.366, 39.912, opening_hours="24/7", district="西城区"),
    *(
        station(f"xc-day-{i}", lon, lat, opening_hours="Mo-Su 08:00-18:00", district="西城区")
        for i, (lon, lat) in enumerate([(116.335, 39.94), (116.375, 39.947), (116.345, 39.895), (116.39, 39.90)])
    ),
    station("cy-office", 116.486, 39.948, opening_hours=OFFICE, district="朝阳区"),
    station("hd-office", 116.298, 39.959, opening_hours=OFFICE, district="海淀区"),
    station("ft-always", 116.287, 39.858, opening_hours="24/7", district="丰台区"),
]
MB = 1024 * 1024


def build(registry: Path, out: Path) -> None:
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "build-maps", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("coverage")
    registry = tmp / "reg.geojson"
    save_registry(registry, STATIONS)
    build(registry, tmp / "maps")
    return registry, tmp / "maps"


def shares(page: Page) -> dict[str, str]:
    """District → its drawn fill colour (Leaflet sets it as an SVG attribute)."""
    names = page.eval_on_selector_all("path.cv-district", "ps => ps.map(p => p.getAttribute('fill'))")
    return dict(enumerate(names))  # type: ignore[arg-type]


def painted(page: Page, after: int = 0) -> int:
    deadline = time.monotonic() + 20
    while True:
        n = int(page.get_attribute("body", "data-painted") or 0)
        if n > after:
            return n
        assert time.monotonic() < deadline, "the page did not repaint"
        page.wait_for_timeout(50)


def test_built_page_is_small_strict_and_reproducible(built: tuple[Path, Path], tmp_path: Path) -> None:
    registry, maps = built
    html = (maps / "coverage.html").read_text()
    assert '<html lang="zh-CN">' in html and "驿站覆盖分析" in html
    assert not re.search(r"<script>|<style>|\sstyle=|\son[a-z]+=", html)  # the CSP allows no inline code
    refs = re.findall(r'(?:src|href)="(assets/[^"]+)"', html)
    assert any("data-coverage" in r for r in refs) and any("leaflet" in r for r in refs)
    size = sum(len(gzip.compress((maps / r).read_bytes())) for r in refs) + len(gzip.compress(html.encode()))
    assert size <= MB, f"coverage page is {size / MB:.2f} MB gzipped"
    build(registry, tmp_path / "again")  # byte-identical for unchanged data (build-maps --check relies on it)
    assert (tmp_path / "again" / "coverage.html").read_bytes() == html.encode()


def test_opened_from_disk_shows_the_embedded_hours(browser: Browser, built: tuple[Path, Path]) -> None:
    _, maps = built
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        page, traffic = open_page(browser)
        page.set_viewport_size({"width": width, "height": height})
        page.goto((maps / "coverage.html").as_uri())
        n = painted(page)
        assert page.get_attribute("body", "data-mode") == "static"
        assert page.locator("path.cv-district").count() == 16
        assert page.locator("#cv-table tbody tr").count() == 16
        assert page.locator("#cv-radius").is_disabled()  # from disk: only what was embedded
        legend = page.locator("#cv-legend").inner_text()
        assert "覆盖面积占比" in legend and "80–100%" in legend and "未覆盖区域" in legend
        day = shares(page)
        page.locator("#cv-hour").fill("23")  # 23:00 on a workday: the offices and the day station close
        n = painted(page, n)
        night = shares(page)
        assert night != day
        page.get_by_role("button", name="朝阳区").click()
        chart = page.locator("#cv-detail svg.cv-chart")
        assert chart.locator("polyline").count() == 3
        assert "朝阳区 逐时覆盖率，23:00" in (chart.get_attribute("aria-label") or "")
        page.screenshot(path=str(ARTIFACTS / f"coverage-static-{width}.png"))
        assert traffic.errors == [] and traffic.blocked == []
        page.context.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    registry, _ = built
    maps = tmp_path_factory.mktemp("served") / "maps"
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--maps", str(maps), "--quiet"], cwd=REPO, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/maps/coverage.html", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("server with the coverage page did not start")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_served_page_asks_the_api_for_the_moment_and_radius(browser: Browser, served: str) -> None:
    page, traffic = open_page(browser)
    page.set_viewport_size({"width": 1280, "height": 800})
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/coverage?" in r.url else None)
    page.goto(f"{served}/maps/coverage.html")
    n = painted(page)
    assert page.get_attribute("body", "data-mode") == "served"
    before = shares(page)
    page.select_option("#cv-radius", "5000")
    n = painted(page, n)
    assert shares(page) != before
    assert any("radius=5000" in u for u in asked)
    page.select_option("#cv-day", "holiday")
    page.locator("#cv-hour").fill("12")
    page.locator("#cv-hour").dispatch_event("change")
    painted(page, n)
    assert any("open_now=true" in u and "T12%3A00" in u for u in asked)
    assert "北京时间" in page.locator("#cv-status").inner_text()
    page.screenshot(path=str(ARTIFACTS / "coverage-served-1280.png"))
    assert traffic.errors == [] and traffic.blocked == []  # CSP violations are console errors
    page.context.close()

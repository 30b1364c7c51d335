"""Browser fixtures: Debian's Chromium driven by Playwright; every request routed and recorded."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
]  # fmt: skip
TILE_HOSTS = ("is.autonavi.com", "tile.openstreetmap.org", "tianditu.gov.cn")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@dataclass
class Traffic:
    tiles: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/test.sh (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def open_page(browser: Browser, *, geolocation: dict[str, float] | None = None) -> tuple[Page, Traffic]:
    context = browser.new_context(
        viewport={"width": 412, "height": 823},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="America/New_York",  # the page must use Beijing time whatever the phone's zone
        geolocation=geolocation,
        permissions=["geolocation"] if geolocation else [],
    )
    traffic = Traffic()

    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "file://", "data:")):
            r.continue_()
        elif any(h in url for h in TILE_HOSTS):
            traffic.tiles.append(url)
            r.fulfill(status=200, body=PNG, content_type="image/png")
        else:
            traffic.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: traffic.errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: traffic.errors.append(f"console: {m.text}") if m.type == "error" else None)
    return page, traffic

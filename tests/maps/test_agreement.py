"""The map page and the API agree: open state and next change of every station at many moments.

A real `locator serve` serves a registry of varied hours; the page's own engine (engine.js, the
code its Web Worker runs) is driven in Chromium once with all moments, and every answer is
compared with `GET /stations?at=` for the same moment.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from locator.holidays import load_holidays
from locator.model import Station
from locator.registry import save_registry
from tests.conftest import REPO, station
from tests.maps.conftest import ARTIFACTS, open_page

BJ = dt.timezone(dt.timedelta(hours=8))
UNKNOWN_RULE = 'Mo-Su 08:00-20:00 unknown "请电话确认"'
HOURS = [
    "24/7",
    "Mo-Fr 09:00-17:00; PH off",
    "Mo-Su 22:00-06:00",
    UNKNOWN_RULE,
    'Mo-Fr 08:00-18:00; Sa-Su 09:00-17:00 unknown "周末请电话确认"',
    'Mo-Fr 09:00-12:00,13:00-17:00 "午休不开放"',
    "Nov-Mar Mo-Fr 09:00-16:00; Apr-Oct Mo-Fr 08:00-18:00",
    "PH 10:00-14:00",
    "Mo-Fr,PH 08:00-18:00",
    "Mo-Sa 07:00-19:00; PH off",
    "Sa-Su 10:00-16:00",
    "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH 10:00-14:00",
    "Mo-Su 06:00-22:00; PH unknown",
    "unknown",
    "week 01-53/2 Mo-Fr 08:00-18:00",
]


def registry_stations() -> list[Station]:
    out = [
        station(f"h{k:02d}", 116.30 + k * 0.01, 39.90, name=f"合成站点 第{k}号", opening_hours=h, district="西城区")
        for k, h in enumerate(HOURS)
    ]
    out.append(station("h-null", 116.45, 39.91, name="合成站点 无时间", opening_hours=None))
    out.append(station("h-paused", 116.46, 39.91, name="合成站点 暂停", status="temporarily_closed"))
    out.append(
        station(
            "h-phones",
            116.47,
            39.91,
            name="合成站点 两个电话",
            opening_hours=UNKNOWN_RULE,
            phone="010-12351 / 13800138000；010-6512 3456 转 8",
        )  # fmt: skip
    )
    return out


def moments() -> list[dt.datetime]:
    """Every holiday period's edges in 2026, make-up workdays, midnights, year ends."""
    cal = load_holidays()
    out: set[dt.datetime] = set()

    def day_at(d: dt.date, h: int, m: int = 0, s: int = 0) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, h, m, s, tzinfo=BJ)

    off = sorted(d for d in cal.days_off if d.year == 2026)
    for d in off:
        if d - dt.timedelta(days=1) not in cal.days_off:  # a period starts
            out |= {day_at(d, 0), day_at(d, 10, 30), day_at(d - dt.timedelta(days=1), 17, 30)}
            out.add(day_at(d - dt.timedelta(days=1), 23, 59, 59))
        if d + dt.timedelta(days=1) not in cal.days_off:  # a period ends
            out |= {day_at(d, 23, 59), day_at(d + dt.timedelta(days=1), 0), day_at(d + dt.timedelta(days=1), 8, 45)}
    for d in sorted(w for w in cal.workdays if w.year == 2026):
        out |= {day_at(d, 0), day_at(d, 8, 59), day_at(d, 9, 0), day_at(d, 12, 30), day_at(d, 21, 59, 30)}
    out |= {
        day_at(dt.date(2026, 2, 18), 12, 0),  # in the middle of the 9-day Spring Festival
        day_at(dt.date(2026, 3, 31), 17, 0), day_at(dt.date(2026, 4, 1), 8, 0),  # season change
        day_at(dt.date(2026, 11, 23), 10, 0), day_at(dt.date(2026, 12, 31), 20, 0),  # next change in 2027
        day_at(dt.date(2025, 1, 1), 0, 0), day_at(dt.date(2025, 6, 1), 9, 0),
    }  # fmt: skip
    for month in range(1, 13):  # ordinary days through the year: both seasons, night and day
        out |= {day_at(dt.date(2026, month, 1), 8, 0), day_at(dt.date(2026, month, 15), 22, 30)}
    return sorted(out)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("agree")
    registry = tmp / "reg.geojson"
    save_registry(registry, registry_stations())
    port = free_port()
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--maps", str(tmp / "maps"), "--quiet"], cwd=REPO, env=dict(os.environ))
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
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def page_states(page: Page, when: list[dt.datetime]) -> list[list[list[Any]]]:
    """[moment][station] = [id, open, next_change ms] from the page's engine, all in one call."""
    script = """async (moments) => {
      await new Promise((ok, fail) => {
        const s = document.createElement("script");
        s.src = window.LOCATOR_PAGE.data; s.onload = ok; s.onerror = fail; document.head.appendChild(s);
      });
      let out = null;
      window.LocatorEngine(window.LOCATOR_DATA, (r) => { out = r; })({ type: "states", moments: moments });
      return out.rows;
    }"""
    rows: list[list[list[Any]]] = page.evaluate(script, [int(m.timestamp() * 1000) for m in when])
    return rows


def api_states(client: httpx.Client, at: dt.datetime) -> dict[str, tuple[bool | None, int | None]]:
    r = client.get("/stations", params={"at": at.isoformat(), "limit": 1000})
    assert r.status_code == 200, r.text
    out = {}
    for f in r.json()["features"]:
        p = f["properties"]
        nxt = p["next_change"]
        out[f["id"]] = (p["open"], round(dt.datetime.fromisoformat(nxt).timestamp() * 1000) if nxt else None)
    return out


def test_page_engine_agrees_with_the_api_at_every_moment(browser: Browser, served: str) -> None:
    when = moments()
    assert len(when) >= 100
    page, traffic = open_page(browser)
    page.goto(f"{served}/maps/index.html")
    table = page_states(page, when)
    disagreements: list[str] = []
    with httpx.Client(base_url=served, timeout=10) as client:
        for at, row in zip(when, table, strict=True):
            api = api_states(client, at)
            assert set(api) == {r[0] for r in row}
            for sid, is_open, change in row:
                if api[sid] != (is_open, change):
                    disagreements.append(f"{sid} at {at.isoformat()}: page {(is_open, change)} != api {api[sid]}")
    assert disagreements == [], "\n".join(disagreements[:20])
    assert traffic.errors == []
    page.context.close()


def test_page_claims_no_change_past_its_encoded_range(browser: Browser, served: str) -> None:
    """The page encodes days up to 2027-12-31 (holiday data to 2026 plus a year); past that it has
    only weekly templates, which miss dated and week-numbered rules: it must not claim a change
    there (the API does: `week 01-53/2` opens on 2028-01-03, the template would say 01-05)."""
    page, _traffic = open_page(browser)
    page.goto(f"{served}/maps/index.html")
    year_end = dt.datetime(2027, 12, 31, 20, 0, tzinfo=BJ)
    beyond = dt.datetime(2028, 3, 1, 10, 0, tzinfo=BJ)
    rows = page_states(page, [year_end, beyond])
    with httpx.Client(base_url=served, timeout=10) as client:
        api = api_states(client, year_end)
    weekly = "h" + f"{HOURS.index('week 01-53/2 Mo-Fr 08:00-18:00'):02d}"
    assert api[weekly][1] == round(dt.datetime(2028, 1, 3, 8, 0, tzinfo=BJ).timestamp() * 1000)
    limit = dt.datetime(2028, 1, 1, tzinfo=BJ).timestamp() * 1000
    for row in rows:
        changes = {sid: change for sid, _open, change in row}
        assert changes[weekly] is None
        assert all(c is None or c < limit for c in changes.values()), changes
    assert any(c is not None for _sid, _o, c in rows[0])  # changes inside the range are still given
    page.context.close()


def _open_popup(page: Page, base: str, name: str, at: dt.datetime) -> str:
    page.clock.install(time=at)
    page.goto(f"{base}/maps/index.html")
    page.wait_for_selector("body[data-ready='1']", timeout=20000)
    page.get_by_label("搜索站点名称或地址").fill(name)
    page.get_by_role("button", name=name).first.click()
    page.locator(".lc-popup").wait_for()
    page.wait_for_timeout(300)
    return page.locator(".lc-popup").inner_text()


def test_unknown_hours_and_long_holidays_read_like_the_api(browser: Browser, served: str) -> None:
    page, traffic = open_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})
    text = _open_popup(page, served, "合成站点 第3号", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    assert "时间未知 · 20:00 关门" in text and "已关门" not in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "popup-unknown-hours.png"))
    page.context.close()
    page, traffic2 = open_page(browser)
    text = _open_popup(page, served, "合成站点 第1号", dt.datetime(2026, 2, 18, 12, 0, tzinfo=BJ))
    assert "已关门 · 2月24日 09:00 开门" in text  # 9 days off: the page still finds the reopening
    page.context.close()
    assert traffic.errors == [] and traffic2.errors == []


def test_two_phone_numbers_make_two_links(browser: Browser, served: str) -> None:
    page, traffic = open_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})
    _open_popup(page, served, "合成站点 两个电话", dt.datetime(2026, 11, 23, 10, 0, tzinfo=BJ))
    links = page.locator(".lc-popup a.lc-tel")
    got = [(links.nth(k).inner_text(), links.nth(k).get_attribute("href")) for k in range(links.count())]
    assert got == [
        ("电话 010-12351", "tel:010-12351"),
        ("电话 13800138000", "tel:13800138000"),
        ("电话 010-6512 3456 转 8", "tel:010-65123456"),
    ]
    split = page.evaluate(
        "() => ['010-1234、010-5678', '010-1234,010-5678', '13800138000 13900139000', '+86 10 6512 3456']"
        ".map((t) => window.LOCATOR_APP.phoneNumbers(t).map((p) => p.dial))"
    )
    assert split == [
        ["010-1234", "010-5678"],
        ["010-1234", "010-5678"],
        ["13800138000", "13900139000"],
        ["+861065123456"],
    ]
    page.screenshot(path=str(ARTIFACTS / "popup-two-phones.png"))
    assert traffic.errors == []
    page.context.close()

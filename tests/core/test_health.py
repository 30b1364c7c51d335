"""Data health by district on a tiny hand-made registry (a real store file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from locator.coverage.health import OUTSIDE, TOTAL, district_health, health_json
from locator.model import Station
from locator.service import Locator
from locator.store import create_store
from tests.conftest import station
from tests.core.test_sites import TwoDistricts

TODAY = dt.date(2026, 11, 22)
FRESH = TODAY - dt.timedelta(days=10)


def ok(sid: str, lon: float = 116.33, lat: float = 39.90, **kw: object) -> Station:
    """A station with nothing wrong, in 甲区 unless moved."""
    base: dict[str, object] = {"district": "甲区", "verified_at": FRESH, "name": f"站 {sid}"}
    base.update(kw)
    return station(sid, lon, lat, **base)


def health(tmp_path: Path, *stations: Station) -> dict[str, object]:
    store, _ = create_store(tmp_path / "reg.sqlite", stations, by="init", why="synthetic")
    rows = district_health(Locator.from_store(store), TwoDistricts(), today=TODAY)  # type: ignore[arg-type]
    assert list(rows) == ["甲区", "乙区", OUTSIDE, TOTAL]
    return health_json(rows)


def row(body: dict[str, object], name: str) -> dict[str, dict[str, object]]:
    if name in (OUTSIDE, TOTAL):
        return body["outside" if name == OUTSIDE else "total"]  # type: ignore[index,no-any-return]
    return next(r for r in body["districts"] if r["name"] == name)  # type: ignore[attr-defined,no-any-return]


def test_each_check_flags_the_right_station_in_the_right_district(tmp_path: Path) -> None:
    body = health(
        tmp_path,
        ok("clean"),
        ok("short-name", district="甲"),  # 甲 names 甲区
        ok("no-hours", opening_hours=None),
        ok("never", verified_at=None),
        ok("stale", verified_at=TODAY - dt.timedelta(days=181)),
        ok("just-in-time", verified_at=TODAY - dt.timedelta(days=180)),
        ok("wrong-text", 116.45, 39.90),  # says 甲区, lies in 乙区
        ok("no-text", 116.46, 39.90, district=None),
        ok("away", 116.80, 39.90),  # in no district
        ok("closed", opening_hours=None, status="closed"),  # not counted at all
        ok("twin", 116.3301, 39.9001, name="站 clean"),  # ~14 m from `clean`, same name
    )
    a, b, out, total = (row(body, n) for n in ("甲区", "乙区", OUTSIDE, TOTAL))
    assert (a["stations"], b["stations"], out["stations"], total["stations"]) == (7, 2, 1, 10)
    assert a["unknown_hours"] == {"count": 1, "examples": ["no-hours"]}
    assert a["not_verified_180d"] == {"count": 2, "examples": ["never", "stale"]}
    assert b["outside_boundary"] == {"count": 1, "examples": ["wrong-text"]}
    assert out["outside_boundary"] == {"count": 1, "examples": ["away"]}
    assert a["outside_boundary"]["count"] == 0 and total["outside_boundary"]["count"] == 2
    assert a["suspected_duplicates"] == {"count": 1, "examples": ["twin"], "pairs": [["clean", "twin"]]}
    assert total["suspected_duplicates"]["count"] == 1 and b["suspected_duplicates"]["count"] == 0


def test_examples_stop_at_five_but_counts_do_not(tmp_path: Path) -> None:
    body = health(tmp_path, *(ok(f"s{i}", 116.33 + i * 0.001, opening_hours=None) for i in range(7)))
    check = row(body, "甲区")["unknown_hours"]
    assert check == {"count": 7, "examples": ["s0", "s1", "s2", "s3", "s4"]}
    assert row(body, "乙区")["stations"] == 0 and row(body, "乙区")["unknown_hours"] == {"count": 0, "examples": []}

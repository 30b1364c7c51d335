"""Coverage core on hand-made districts: counts, shares, borders, open state, filters."""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
import shapely

from locator.coverage import area, metric
from locator.coverage.compute import coverage
from locator.coverage.districts import District, Districts
from locator.errors import InvalidParameter
from locator.registry import Registry
from locator.service import Locator
from locator.store import Change, create_store
from tests.conftest import station

SIDE = 10_000.0  # metres
CX, CY = metric.to_metric(116.40, 39.90)  # a square district centred here (projection coordinates)
CX, CY = float(CX), float(CY)


def square(x0: float, y0: float, side: float = SIDE) -> shapely.Geometry:
    return metric.unproject(shapely.box(x0, y0, x0 + side, y0 + side))


@pytest.fixture(scope="module")
def two() -> Districts:
    """Two 10 km squares side by side: A (west) and B (east); shared border at x = CX."""
    return Districts(
        [
            District("甲区", "990001", square(CX - SIDE, CY - SIDE / 2)),
            District("乙区", "990002", square(CX, CY - SIDE / 2)),
        ]
    )


def at_metres(sid: str, x: float, y: float, **kw: object) -> object:
    lon, lat = metric.to_lonlat(x, y)
    return station(sid, lon=float(lon), lat=float(lat), **kw)


def locator_of(*stations: object) -> Locator:
    return Locator(Registry(list(stations)))  # type: ignore[arg-type]


AT = dt.datetime(2026, 9, 24, 10, 0)  # a Thursday, a workday


def test_single_station_in_the_middle_covers_pi_r_squared(two: Districts) -> None:
    loc = locator_of(at_metres("a", CX - SIDE / 2, CY))
    r = 1000.0
    rep = coverage(loc, two, at=AT, radius_m=r)
    expected = math.pi * r * r / SIDE**2
    a, b = rep.districts
    assert (a.name, a.stations, a.open) == ("甲区", 1, 1)
    assert abs(a.covered_share - expected) / expected < 0.01
    assert (b.stations, b.covered_share) == (0, 0.0)
    assert rep.outside == 0
    assert rep.total.stations == 1 and abs(rep.total.covered_share - expected / 2) / (expected / 2) < 0.01
    # the exact polygon engine agrees within 0.1 %
    x, y = metric.to_metric([float(loc.stations[0].lon)], [float(loc.stations[0].lat)])
    exact = area.covered_shares(two, x, y, r)
    assert abs(exact[0] - expected) / expected < 0.001


def test_station_across_the_border_covers_its_neighbour(two: Districts) -> None:
    loc = locator_of(at_metres("a", CX - 500.0, CY))
    rep = coverage(loc, two, at=AT, radius_m=1000.0)
    a, b = rep.districts
    assert (a.stations, b.stations) == (1, 0)
    # circular segment beyond a chord at distance d = r/2: r²(θ - sin θ)/2 with θ = 2 acos(d/r)
    theta = 2 * math.acos(0.5)
    segment = 1000.0**2 * (theta - math.sin(theta)) / 2 / SIDE**2
    # the 50 m grid samples cell centres: a small area cut by a straight border is within 10 %
    assert abs(b.covered_share - segment) / segment < 0.10
    x, y = metric.to_metric([float(loc.stations[0].lon)], [float(loc.stations[0].lat)])
    assert abs(area.covered_shares(two, x, y, 1000.0)[1] - segment) / segment < 0.005  # exact engine
    assert abs(a.covered_share + b.covered_share - math.pi * 1e6 / SIDE**2) < 0.0005


def test_station_outside_every_district_is_counted_outside(two: Districts) -> None:
    loc = locator_of(at_metres("far", CX + 3 * SIDE, CY), at_metres("in", CX + SIDE / 2, CY))
    rep = coverage(loc, two, at=AT)
    assert rep.outside == 1
    assert [d.stations for d in rep.districts] == [0, 1]
    assert rep.to_json()["outside"] == 1


def test_open_now_follows_the_hours(two: Districts) -> None:
    loc = locator_of(at_metres("office", CX - SIDE / 2, CY, opening_hours="Mo-Fr 09:00-17:00"))
    day = coverage(loc, two, at=dt.datetime(2026, 9, 24, 10, 0), open_now=True)
    night = coverage(loc, two, at=dt.datetime(2026, 9, 24, 23, 0), open_now=True)
    assert (day.districts[0].open, night.districts[0].open) == (1, 0)
    assert day.districts[0].covered_share > 0.03
    assert night.districts[0].covered_share == 0.0
    assert night.districts[0].stations == 1  # still counted as a station
    anyway = coverage(loc, two, at=dt.datetime(2026, 9, 24, 23, 0), open_now=False)
    assert anyway.districts[0].covered_share == day.districts[0].covered_share


def test_holiday_differs_from_workday_for_ph_off(two: Districts) -> None:
    loc = locator_of(at_metres("o", CX - SIDE / 2, CY, opening_hours="Mo-Fr 09:00-17:00; PH off"))
    workday = coverage(loc, two, at=dt.datetime(2026, 9, 24, 10, 0), open_now=True)  # Thursday
    holiday = coverage(loc, two, at=dt.datetime(2026, 10, 1, 10, 0), open_now=True)  # 国庆, Thursday
    assert workday.districts[0].open == 1 and workday.districts[0].covered_share > 0
    assert holiday.districts[0].open == 0 and holiday.districts[0].covered_share == 0.0


def test_temporarily_closed_and_closed_stations(two: Districts) -> None:
    loc = locator_of(
        at_metres("t", CX - SIDE / 2, CY, status="temporarily_closed"),
        at_metres("c", CX + SIDE / 2, CY, status="closed"),
    )
    rep = coverage(loc, two, at=AT, open_now=True)
    assert [(d.stations, d.open, d.covered_share) for d in rep.districts] == [(1, 0, 0.0), (0, 0, 0.0)]
    assert coverage(loc, two, at=AT).districts[0].covered_share > 0  # without open-now it still covers


def test_filters_select_the_stations_that_serve_the_need(two: Districts) -> None:
    loc = locator_of(
        at_metres("mw", CX - SIDE / 2, CY, amenities=("microwave", "drinking_water")),
        at_metres("w", CX + SIDE / 2, CY, amenities=("drinking_water",), type="worker_home"),
    )
    rep = coverage(loc, two, at=AT, amenities=["microwave"])
    assert [d.stations for d in rep.districts] == [1, 0]
    assert rep.districts[1].covered_share == 0.0
    rep = coverage(loc, two, at=AT, station_type="worker_home")
    assert [d.stations for d in rep.districts] == [0, 1]
    with pytest.raises(InvalidParameter) as e:
        coverage(loc, two, at=AT, amenities=["jacuzzi"])
    assert e.value.name == "amenity"
    with pytest.raises(InvalidParameter) as e:
        coverage(loc, two, at=AT, radius_m=0)
    assert e.value.name == "radius"


def test_edits_applied_to_a_locator_are_seen(two: Districts, tmp_path: Path) -> None:
    """A Locator with changes applied (overlay) reports its current stations, not the base's."""
    first = at_metres("s1", CX - SIDE / 2, CY)
    store, _ = create_store(tmp_path / "r.sqlite", [first], by="init", why="test")  # type: ignore[list-item]
    loc = Locator.from_store(store, snapshot_dir=tmp_path / "snap")
    assert [d.stations for d in coverage(loc, two, at=AT).districts] == [1, 0]
    moved = at_metres("s1", CX + SIDE / 2, CY)
    store.commit([Change("s1", moved, "move")], by="t", why="move it")  # type: ignore[arg-type]
    loc = loc.catch_up()
    assert [d.stations for d in coverage(loc, two, at=AT).districts] == [0, 1]


def test_results_do_not_depend_on_the_host_time_zone(two: Districts, monkeypatch: pytest.MonkeyPatch) -> None:
    loc = locator_of(at_metres("o", CX - SIDE / 2, CY, opening_hours="Mo-Fr 09:00-17:00"))
    here = coverage(loc, two, at=dt.datetime(2026, 9, 24, 16, 30), open_now=True)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        there = coverage(loc, two, at=dt.datetime(2026, 9, 24, 16, 30), open_now=True)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert here == there and here.districts[0].open == 1
    assert here.to_json()["at"] == "2026-09-24T16:30:00+08:00"
    assert os.environ.get("TZ") != "America/Los_Angeles"


def test_locate_vectorised(two: Districts) -> None:
    xs = np.array([CX - SIDE / 2, CX + SIDE / 2, CX + 5 * SIDE])
    lon, lat = metric.to_lonlat(xs, np.full(3, CY))
    assert two.locate(lon, lat).tolist() == [0, 1, -1]

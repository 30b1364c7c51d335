"""The shipped Beijing districts, the metric projection, hour curves and uncovered areas."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import shapely

from locator.coverage import metric
from locator.coverage.compute import coverage
from locator.coverage.districts import load_districts
from locator.coverage.hourly import day_kinds, hour_curve
from locator.coverage.uncovered import uncovered
from locator.geo import haversine_m
from locator.holidays import load_holidays
from locator.registry import Registry, load_registry
from locator.service import Locator
from tests.conftest import station

OFFICIAL_KM2 = {"西城区": 50.70, "东城区": 41.84, "朝阳区": 470.8, "海淀区": 430.77, "延庆区": 1994.88}


def test_sixteen_districts_with_plausible_areas() -> None:
    d = load_districts()
    assert len(d) == 16 and len(set(d.names)) == 16
    assert all(x.adcode.startswith("1101") and len(x.adcode) == 6 for x in d)
    km2 = dict(zip(d.names, d.areas_m2 / 1e6, strict=True))
    for name, official in OFFICIAL_KM2.items():
        assert abs(km2[name] - official) / official < 0.02, name
    assert abs(sum(km2.values()) - 16410.5) / 16410.5 < 0.02
    union = shapely.union_all(list(d.metric)).area / 1e6
    assert abs(union - sum(km2.values())) < 0.01  # no overlaps


def test_tiananmen_is_in_dongcheng_and_far_points_are_outside() -> None:
    d = load_districts()
    idx = d.locate([116.3912, 116.3105, 121.47], [39.9067, 39.9929, 31.23])  # Tiananmen, 中关村附近, Shanghai
    assert [d[i].name if i >= 0 else None for i in idx] == ["东城区", "海淀区", None]


def test_shipped_stations_land_in_the_district_their_text_names() -> None:
    """All but stations within 200 m of a border do; the source's borders are generalised
    (straight segments between vertices), so a station that close may fall just across."""
    d = load_districts()
    sts = load_registry().stations
    idx = d.locate([s.lon for s in sts], [s.lat for s in sts])
    for s, i in zip(sts, idx, strict=True):
        got = d[i].name if i >= 0 else None
        if got != s.district:
            x, y = metric.to_metric(s.lon, s.lat)
            named = d.metric[d.names.index(str(s.district))]
            assert shapely.distance(named, shapely.points(x, y)) < 200.0, s.id


def test_projected_circles_are_great_circles() -> None:
    """A 1 km circle drawn in the projection at Beijing's far corners is 1 km great-circle."""
    for lon, lat in [(115.42, 39.44), (117.51, 41.06), (116.46, 40.25)]:
        x, y = metric.to_metric(lon, lat)
        ring = shapely.get_coordinates(shapely.buffer(shapely.points(x, y), 1000.0, quad_segs=16).exterior)
        rlon, rlat = metric.to_lonlat(ring[:, 0], ring[:, 1])
        dist = haversine_m(lon, lat, rlon, rlat)
        assert np.abs(dist - 1000.0).max() < 0.1  # 10 cm
    disc = metric.discs(np.array([0.0]), np.array([0.0]), 1000.0)[0]
    assert abs(disc.area - np.pi * 1e6) / (np.pi * 1e6) < 1e-9


def test_hour_curve_by_day_kind() -> None:
    loc = Locator(
        Registry(
            [
                station("office", lon=116.37, lat=39.91, opening_hours="Mo-Fr 09:00-17:00; PH off"),
                station("late", lon=116.42, lat=39.93, opening_hours="Mo-Su 07:00-22:00"),
            ]
        )
    )
    d = load_districts()
    kinds = day_kinds(loc.calendar, dt.date(2026, 9, 20))
    assert kinds == {
        "workday": dt.date(2026, 9, 21),
        "saturday": dt.date(2026, 10, 17),
        "holiday": dt.date(2026, 9, 25),
    }
    calls: list[tuple[int, int]] = []
    curve = hour_curve(loc, d, days=kinds, progress=lambda a, b: calls.append((a, b)))
    assert calls[-1] == (72, 72)
    xc, dc = curve.curves["西城区"], curve.curves["东城区"]
    assert xc["workday"][10] > 0 and xc["workday"][20] == 0 and xc["workday"][3] == 0
    assert xc["holiday"][10] == 0 and xc["saturday"][10] == 0  # PH off; Saturday off
    assert dc["saturday"][10] > 0 and dc["saturday"][23] == 0
    doc = curve.to_json()
    assert doc["days"]["holiday"] == "2026-09-25"
    assert set(doc["districts"]) == set(d.names) and len(doc["districts"]["西城区"]["workday"]) == 24
    assert hour_curve(loc, d, days=kinds) is curve  # cached
    assert coverage(loc, d, at=dt.datetime(2026, 9, 21, 10), open_now=True).districts[1].covered_share == pytest.approx(
        xc["workday"][10], abs=1e-4
    )


def test_day_kinds_follow_the_holiday_table() -> None:
    cal = load_holidays()
    kinds = day_kinds(cal, dt.date(2026, 9, 27))
    assert kinds["holiday"] in cal.days_off and kinds["holiday"].weekday() < 5
    assert kinds["workday"] not in cal.days_off and kinds["workday"].weekday() < 5
    assert kinds["saturday"].weekday() == 5 and kinds["saturday"] not in cal.workdays


def test_uncovered_geojson() -> None:
    d = load_districts()
    loc = Locator(Registry([station("c", lon=116.37, lat=39.91)]))
    doc = uncovered(loc, d, at=dt.datetime(2026, 9, 21, 10), radius_m=1000.0)
    assert len(doc["features"]) == 16
    west = next(f for f in doc["features"] if f["properties"]["name"] == "西城区")
    hole = shapely.geometry.shape(west["geometry"])
    full = d[d.names.index("西城区")].geometry
    share = west["properties"]["covered_share"]
    assert 0.03 < share < 0.1
    left = metric.area_m2(hole) / metric.area_m2(full)
    assert abs(left - (1 - share)) < 0.01
    assert not hole.contains(shapely.Point(116.37, 39.91))
    assert len(json.dumps(doc)) < 300_000

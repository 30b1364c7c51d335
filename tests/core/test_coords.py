"""Coordinate systems: shifts, iterative inverses under 1 cm, outside-China pass-through."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from locator.coords import (
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_gcj02,
)
from locator.geo import haversine_m

china_lon = st.floats(min_value=73.5, max_value=134.7)
china_lat = st.floats(min_value=18.2, max_value=53.5)
beijing_lon = st.floats(min_value=115.4, max_value=117.5)
beijing_lat = st.floats(min_value=39.4, max_value=41.0)


def test_beijing_shift_is_500_to_610_m() -> None:
    lon = np.linspace(115.5, 117.4, 40)
    lat = np.linspace(39.5, 40.9, 40)
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift = haversine_m(lon, lat, glon, glat)
    assert shift.min() > 400 and shift.max() < 700


def test_one_known_point() -> None:
    # Tiananmen area: GCJ-02 lies ~6.2e-3° east and ~1.3e-3° north of WGS-84 here.
    glon, glat = wgs84_to_gcj02(116.3912, 39.9067)
    assert abs(float(glon) - 116.3912 - 0.00624) < 0.0003
    assert abs(float(glat) - 39.9067 - 0.00135) < 0.0003


@settings(max_examples=300)
@given(china_lon, china_lat)
def test_gcj02_round_trip_under_1_cm(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert float(haversine_m(lon, lat, wlon, wlat)) < 0.01


@settings(max_examples=300)
@given(beijing_lon, beijing_lat)
def test_bd09_round_trip_under_1_cm(lon: float, lat: float) -> None:
    b = from_wgs84(lon, lat, "bd09")
    w = to_wgs84(b[0], b[1], "bd09")
    assert float(haversine_m(lon, lat, w[0], w[1])) < 0.01
    g = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert float(haversine_m(lon, lat, g[0], g[1])) < 0.01


def test_iterative_inverse_beats_one_step() -> None:
    lon, lat = 116.38, 39.95
    glon, glat = wgs84_to_gcj02(lon, lat)
    one_step = (2 * glon - wgs84_to_gcj02(glon, glat)[0], 2 * glat - wgs84_to_gcj02(glon, glat)[1])
    naive_err = float(haversine_m(lon, lat, *one_step))
    ours = gcj02_to_wgs84(glon, glat)
    assert float(haversine_m(lon, lat, *ours)) < 0.001 < naive_err


@given(
    st.one_of(
        st.tuples(st.floats(-180, 70), st.floats(-90, 90)),
        st.tuples(st.floats(-180, 180), st.floats(56, 90)),
        st.tuples(st.floats(138, 180), st.floats(-90, 90)),
    ),
    st.sampled_from(["gcj02", "bd09"]),
)
def test_outside_china_unchanged(point: tuple[float, float], crs: str) -> None:
    lon, lat = point
    assert not bool(in_china(lon, lat))
    for fn in (to_wgs84, from_wgs84):
        x, y = fn(lon, lat, crs)
        assert (float(x), float(y)) == (lon, lat)


def test_vectorised_matches_scalar() -> None:
    lon = np.array([116.1, 116.5, 121.47, -0.12])
    lat = np.array([39.7, 40.1, 31.23, 51.5])
    vx, vy = wgs84_to_gcj02(lon, lat)
    for i in range(4):
        sx, sy = wgs84_to_gcj02(lon[i], lat[i])
        assert float(sx) == vx[i] and float(sy) == vy[i]
    assert vx[3] == lon[3] and vy[3] == lat[3]

"""Nearest search checked against an exhaustive haversine search on synthetic registries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from locator import synthetic, vocab
from locator.errors import InvalidParameter
from locator.geo import haversine_m
from locator.holidays import load_holidays
from locator.hours import OPEN, HoursBook, beijing
from locator.nearest import Filters, StationIndex, amenity_mask, max_chord_for
from locator.registry import Registry
from locator.service import Locator
from tests.conftest import station

MONDAY = beijing(dt.datetime(2026, 11, 23, 19, 30)).timestamp()
HOLIDAY = beijing(dt.datetime(2026, 10, 5, 10, 0)).timestamp()


@pytest.fixture(scope="module")
def world() -> tuple[synthetic.SyntheticArrays, StationIndex, np.ndarray]:
    data = synthetic.arrays(20_000, seed=3)
    exprs = sorted({h for h in data.hours if h is not None})
    remap = np.array([exprs.index(h) if h is not None else -1 for h in data.hours], dtype=np.int32)
    expr_id = remap[data.hours_idx]
    book = HoursBook(exprs, load_holidays())
    return (
        data,
        StationIndex(data.lon, data.lat, data.amenities, data.type_code, data.status_code, expr_id, book),
        expr_id,
    )


def exhaustive(data, expr_id, book, lon, lat, k, f: Filters) -> np.ndarray:  # type: ignore[no-untyped-def]
    d = haversine_m(lon, lat, data.lon, data.lat)
    ok = data.status_code != vocab.STATUS_IDS.index("closed")
    if f.amenity_mask:
        m = np.uint64(f.amenity_mask)
        ok &= (data.amenities & m) == m
    if f.type_code >= 0:
        ok &= data.type_code == f.type_code
    if f.open_at is not None:
        ok &= data.status_code == 0
        ok &= book.states(expr_id, f.open_at) == OPEN
    ok &= d <= (np.inf if f.max_chord == np.inf else 1e18)
    return np.sort(d[ok])[:k]


FILTERS = [
    Filters(),
    Filters(amenity_mask=amenity_mask(["microwave"])),
    Filters(amenity_mask=amenity_mask(["microwave", "toilet", "ebike_charging"]), open_at=MONDAY),
    Filters(type_code=vocab.TYPE_CODE["mother_baby_room"], open_at=HOLIDAY),
    Filters(amenity_mask=amenity_mask(["battery_swap", "free_cold_drinks"]), type_code=0),  # rare: brute-force path
]


@pytest.mark.parametrize("f", FILTERS)
def test_matches_exhaustive_search(world, f: Filters) -> None:  # type: ignore[no-untyped-def]
    data, index, expr_id = world
    rng = np.random.default_rng(11)
    qlon, qlat = synthetic.sample_points(600, rng)
    for lon, lat, k in zip(qlon.tolist(), qlat.tolist(), rng.integers(1, 12, 600).tolist(), strict=True):
        pos, dist = index.query(lon, lat, k, f)
        want = exhaustive(data, expr_id, index.book, lon, lat, k, f)
        assert np.allclose(dist, want, atol=1e-3), (lon, lat, k)
        got = haversine_m(lon, lat, data.lon[pos], data.lat[pos])
        assert np.allclose(got, dist, atol=1e-3)


def test_max_distance_is_respected(world) -> None:  # type: ignore[no-untyped-def]
    data, index, _ = world
    rng = np.random.default_rng(5)
    qlon, qlat = synthetic.sample_points(300, rng)
    for lon, lat in zip(qlon.tolist(), qlat.tolist(), strict=True):
        d = np.sort(haversine_m(lon, lat, data.lon, data.lat)[data.status_code != 2])
        limit = float(d[3])  # exactly the 4th station's distance: it must be included
        _, dist = index.query(lon, lat, 10, Filters(max_chord=max_chord_for(limit)))
        assert len(dist) == 4 and max(dist) <= limit + 1e-6


def test_closed_never_and_temporarily_closed_never_open(write_registry) -> None:  # type: ignore[no-untyped-def]
    reg = Registry(
        [
            station("gone", 116.380, 39.950, status="closed"),
            station("paused", 116.381, 39.950, status="temporarily_closed"),
            station("far", 116.420, 39.950),
        ]
    )
    loc = Locator(reg)
    ids = [h.station.id for h in loc.nearest(39.95, 116.38, k=5).hits]
    assert ids == ["paused", "far"]
    assert loc.nearest(39.95, 116.38, k=5).hits[0].state.open is False
    assert [h.station.id for h in loc.nearest(39.95, 116.38, k=5, open_now=True).hits] == ["far"]


def test_equal_distances_come_in_registry_order() -> None:
    reg = Registry([station(f"s{i}", 116.38, 39.95) for i in range(6)])
    loc = Locator(reg)
    for _ in range(3):
        assert [h.station.id for h in loc.nearest(39.95, 116.38, k=4).hits] == ["s0", "s1", "s2", "s3"]


def test_crs_in_and_out() -> None:
    reg = Registry([station("a", 116.38, 39.95), station("b", 116.40, 39.95)])
    loc = Locator(reg)
    # the GCJ-02 point that Amap shows for station a finds a at ~0 m
    from locator.coords import from_wgs84

    glon, glat = from_wgs84(116.38, 39.95, "gcj02")
    hit = loc.nearest(float(glat), float(glon), k=1, crs="gcj02").hits[0]
    assert hit.station.id == "a" and hit.distance_m is not None and hit.distance_m < 0.01
    wrong = loc.nearest(float(glat), float(glon), k=1, crs="wgs84").hits[0]
    assert wrong.distance_m is not None and wrong.distance_m > 400  # why the crs matters


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lat": 91}, "lat"),
        ({"lon": "abc"}, "lon"),
        ({"lat": float("nan")}, "lat"),
        ({"lat": "1e400"}, "lat"),
        ({"k": 0}, "k"),
        ({"k": 10**9}, "k"),
        ({"k": 2.5}, "k"),
        ({"amenities": ["sauna"]}, "amenity"),
        ({"station_type": "hotel"}, "type"),
        ({"crs": "epsg:3857"}, "crs"),
        ({"at": "tomorrow"}, "at"),
        ({"max_distance_m": -5}, "max_distance_m"),
    ],
)
def test_bad_parameters_name_themselves(kwargs: dict, name: str) -> None:  # type: ignore[type-arg]
    loc = Locator(Registry([station("a")]))
    args = {"lat": 39.95, "lon": 116.38} | kwargs
    lat, lon = args.pop("lat"), args.pop("lon")
    with pytest.raises(InvalidParameter) as err:
        loc.nearest(lat, lon, **args)
    assert err.value.name == name


def test_chinese_labels_accepted_as_filter_values() -> None:
    loc = Locator(Registry([station("a", amenities=("microwave",)), station("b", 116.39, amenities=())]))
    assert [h.station.id for h in loc.nearest(39.95, 116.38, amenities=["热饭"]).hits] == ["a"]

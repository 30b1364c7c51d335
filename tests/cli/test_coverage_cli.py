"""`locator coverage` as a user runs it: a real process on a small registry in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from locator.registry import save_registry
from tests.conftest import REPO, station

OFFICE = "Mo-Fr 09:00-17:00; PH off"
STATIONS = [
    station("xc-always", 116.366, 39.912, opening_hours="24/7", district="西城区"),
    station("cy-office", 116.486, 39.948, opening_hours=OFFICE, district="朝阳区", amenities=("microwave",)),
    station("sh-far", 121.47, 31.23, opening_hours="24/7", district="上海"),  # in no Beijing district
]
HOLIDAY_NIGHT = "2026-10-03T23:00"  # National Day holiday, 23:00 Beijing time


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "reg.geojson"
    save_registry(path, STATIONS)
    return path


def run(registry: Path, *args: str, tz: str = "UTC") -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "coverage", *args]
    env = dict(os.environ, TZ=tz)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=300, check=False)


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in doc["districts"]}


def test_json_is_the_contract_shape(registry: Path) -> None:
    r = run(registry, "--at", HOLIDAY_NIGHT, "--open-now", "--json")
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert set(doc) == {"at", "radius_m", "districts", "outside", "total"}  # total is the one extra key
    assert doc["at"].startswith("2026-10-03T23:00") and doc["at"].endswith("+08:00")
    assert doc["radius_m"] == 1000
    assert len(doc["districts"]) == 16
    for d in doc["districts"]:
        assert set(d) == {"name", "stations", "open", "covered_share"}
        assert 0 <= d["covered_share"] <= 1
    assert doc["outside"] == 1  # the Shanghai station
    by = rows(doc)
    assert (by["西城区"]["stations"], by["西城区"]["open"]) == (1, 1)
    assert by["西城区"]["covered_share"] > 0
    assert (by["朝阳区"]["stations"], by["朝阳区"]["open"]) == (1, 0)  # an office on a holiday night
    assert by["延庆区"]["covered_share"] == 0


def test_open_now_counts_only_stations_open_at_the_moment(registry: Path) -> None:
    every = rows(orjson.loads(run(registry, "--at", HOLIDAY_NIGHT, "--json").stdout))
    open_now = rows(orjson.loads(run(registry, "--at", HOLIDAY_NIGHT, "--open-now", "--json").stdout))
    assert every["朝阳区"]["covered_share"] > 0
    assert open_now["朝阳区"]["covered_share"] == 0
    assert open_now["西城区"]["covered_share"] == pytest.approx(every["西城区"]["covered_share"])


def test_filters_and_radius_change_the_answer(registry: Path) -> None:
    small = rows(orjson.loads(run(registry, "--at", HOLIDAY_NIGHT, "--radius", "500", "--json").stdout))
    large = rows(orjson.loads(run(registry, "--at", HOLIDAY_NIGHT, "--radius", "3000", "--json").stdout))
    assert 0 < small["西城区"]["covered_share"] < large["西城区"]["covered_share"]
    micro = rows(orjson.loads(run(registry, "--at", HOLIDAY_NIGHT, "--amenity", "microwave", "--json").stdout))
    assert micro["西城区"]["covered_share"] == 0 and micro["朝阳区"]["covered_share"] > 0


def test_table_is_chinese_and_the_same_in_any_time_zone(registry: Path) -> None:
    r = run(registry, "--at", HOLIDAY_NIGHT, "--open-now")
    assert r.returncode == 0, r.stderr
    assert "# 覆盖率 · 2026-10-03 23:00 北京时间 · 半径 1000 米 · 仅计此刻开放的站点" in r.stdout
    line = next(x for x in r.stdout.splitlines() if x.startswith("朝阳区"))
    assert line.split()[1:] == ["1", "0", "0.0%"]
    assert "全部" in r.stdout and "不在任何区界内的站点：1 个" in r.stdout
    assert run(registry, "--at", HOLIDAY_NIGHT, "--open-now", tz="America/New_York").stdout == r.stdout


def test_hour_curve_table_json_and_progress(registry: Path) -> None:
    r = run(registry, "--hours", "--json")
    assert r.returncode == 0, r.stderr
    hours = orjson.loads(r.stdout)["hours"]
    assert set(hours["days"]) == {"workday", "saturday", "holiday"}
    curve = hours["districts"]["朝阳区"]
    assert all(len(curve[k]) == 24 for k in hours["days"])
    assert curve["workday"][10] > 0 and curve["workday"][23] == 0 and max(curve["holiday"]) == 0
    assert "hour curve" in r.stderr  # progress on stderr, never mixed into the JSON
    text = run(registry, "--hours").stdout
    assert "## 工作日" in text and "## 法定节假日" in text


@pytest.mark.parametrize(
    ("args", "flag", "says"),
    [
        (["--radius", "0"], "--radius", "more than 0"),
        (["--radius", "60000"], "--radius", "at most 50000"),
        (["--radius", "abc"], "--radius", "not a number"),
        (["--at", "tomorrow"], "--at", "ISO 8601"),
        (["--amenity", "sauna"], "--amenity", "unknown amenity"),
        (["--type", "castle"], "--type", "unknown station type"),
        (["--sites", "3"], "--sites", "needs --demand"),
        (["--demand", "nowhere.csv"], "--demand", "does not exist"),
    ],
)
def test_bad_arguments_say_which_in_one_line(registry: Path, args: list[str], flag: str, says: str) -> None:
    r = run(registry, *args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"locator coverage: error: {flag}: ") and says in lines[0]


def test_a_folder_as_demand_is_a_bad_argument(registry: Path, tmp_path: Path) -> None:
    r = run(registry, "--demand", str(tmp_path))
    assert r.returncode == 2 and r.stderr.strip().endswith("is a folder")


def test_demand_ranks_sites_and_health_is_reported(registry: Path, tmp_path: Path) -> None:
    demand = tmp_path / "demand.csv"
    demand.write_text("lon,lat,weight\n116.60,40.05,5\n116.61,40.06,3\n116.366,39.912,9\n", encoding="utf-8")
    r = run(registry, "--demand", str(demand), "--sites", "2", "--health", "--json", "--crs-demand-ignored")
    assert r.returncode == 2  # an unknown option is an argparse error, one line
    r = run(registry, "--at", HOLIDAY_NIGHT, "--demand", str(demand), "--sites", "2", "--health", "--json")
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    sites = doc["sites"]
    assert sites["demand"]["covered_before"] < sites["demand"]["covered_after"]
    assert 1 <= len(sites["sites"]) <= 2 and sites["sites"][0]["district"]
    assert doc["health"]["total"]["stations"] >= 2
    text = run(registry, "--at", HOLIDAY_NIGHT, "--demand", str(demand), "--health").stdout
    assert "# 候选站址" in text and "# 数据质量（按区界）" in text


def test_a_demand_file_with_a_bad_row_names_the_row(registry: Path, tmp_path: Path) -> None:
    demand = tmp_path / "demand.csv"
    demand.write_text("lon,lat,weight\n116.60,40.05,5\n116.61,north,3\n", encoding="utf-8")
    r = run(registry, "--demand", str(demand))
    assert r.returncode in (1, 2) and "Traceback" not in r.stderr
    assert "demand.csv:3" in r.stdout + r.stderr

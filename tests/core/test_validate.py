"""Registry validation reports every problem, one line each, with place and field."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from locator import validate
from locator.errors import RegistryInvalid
from locator.registry import check_registry, load_registry
from tests.conftest import REPO


def feature(fid: str | None, lon: float, lat: float, **props: object) -> dict:  # type: ignore[type-arg]
    base = {
        "name": "站点",
        "type": "warm_station",
        "amenities": [],
        "opening_hours": None,
        "source": "test (synthetic)",
    }
    if fid is not None:
        base["id"] = fid
    base.update(props)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": base}


def write(tmp_path: Path, features: list) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "broken.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return p


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            feature("a", 116.38, 39.95, type="hotel"),
            feature("b", 116.38, 39.96, amenities=["wifi", "sauna"]),
            feature("c", 39.95, 116.38),
            feature("d", -0.12, 51.5),
            feature("e", 116.39, 39.95, opening_hours="Mo-Fr 8-18"),
            feature("a", 116.40, 39.95),
            feature(None, 116.41, 39.95, name=""),
            feature("f", 116.42, 39.95, source=None),
            feature("g", 116.43, 39.95, status="gone", coord_precision="roughly", verified_at="yesterday"),
        ],
    )
    stations, problems, _ = check_registry(path)
    lines = [str(p) for p in problems]
    expect = [
        f"{path}:a: type: unknown type 'hotel' (allowed: service_station 工会服务站, warm_station 暖心驿站, "
        "worker_home 职工之家, mother_baby_room 母婴关爱室)",
        f"{path}:b: amenities: unknown amenity 'sauna' (allowed: drinking_water 饮水,",
        f"{path}:c: geometry: [39.95, 116.38] looks swapped",
        f"{path}:d: geometry: [-0.12, 51.5] is outside China (far from it",
        f"{path}:e: opening_hours: 'Mo-Fr 8-18': not valid OSM opening_hours syntax at character 7",
        f"{path}:a: id: duplicate id 'a' (first used at",
        f"{path}:#7: id: required field is missing",
        f"{path}:#7: name: must not be empty",
        f"{path}:f: source: required field is null",
        f"{path}:g: status: unknown status 'gone' (allowed: open 正常开放, temporarily_closed 暂停开放, closed 已关闭)",
        f"{path}:g: coord_precision: unknown coord precision 'roughly' (allowed: exact 精确位置, approximate 大致位置)",
        f"{path}:g: verified_at: 'yesterday' is not a YYYY-MM-DD date",
    ]
    for e in expect:
        assert any(line.startswith(e) for line in lines), (e, lines)
    assert [s.id for s in stations] == ["a"]  # only the second 'a' is otherwise valid


def test_same_name_within_50_m_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [feature("a", 116.38, 39.95), feature("b", 116.3803, 39.9501), feature("c", 116.39, 39.95)],
    )
    reg = load_registry(path)  # warnings do not fail the load
    assert len(reg.stations) == 3
    assert [str(w) for w in reg.warnings] == [
        f"{path}:b: name: warning: same name '站点' as 'a' 28 m away: a duplicate?"
    ]


def test_a_station_with_only_warnings_is_kept_not_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            feature("a", 116.38, 39.95, name="甲", amenities=["toilet", "toilet"]),
            feature("b", 116.40, 39.95, name="乙", opening_hours="Mo-Fr 09:00-05:00"),
            feature("c", 116.42, 39.95, name="丙"),
        ],
    )
    reg = load_registry(path)
    assert [s.id for s in reg.stations] == ["a", "b", "c"]
    assert [(w.place.rsplit(":", 1)[-1], w.field) for w in reg.warnings] == [("a", "amenities"), ("b", "opening_hours")]


def test_not_a_feature_collection(tmp_path: Path) -> None:
    p = tmp_path / "x.geojson"
    p.write_text("{not json")
    _, problems, _ = check_registry(p)
    assert problems[0].field == "file" and "not valid JSON" in problems[0].message
    p.write_text('{"type": "Feature"}')
    _, problems, _ = check_registry(p)
    assert "FeatureCollection" in problems[0].message


def test_shipped_sample_is_valid_and_honest() -> None:
    reg = load_registry(REPO / "data" / "stations.geojson")
    assert len(reg.stations) >= 8 and not reg.warnings
    seeds = {p.name for p in (REPO.parent / "shared" / "seeds").glob("*.txt")} or None
    for st in reg.stations:
        assert "seeds/" in st.source and "synthetic" not in st.source.lower()
        if seeds:
            for name in [part.split("seeds/")[1] for part in st.source.split("；") if "seeds/" in part]:
                assert name in seeds, name
        assert st.coord_precision == "approximate"  # every sample point is placed from a street or landmark
        assert not st.id.startswith("syn-")


def test_verified_at_in_the_future_is_refused() -> None:
    today = dt.date(2026, 3, 1)
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature("past", 116.38, 39.95, verified_at="2025-12-31"),
            feature("today", 116.39, 39.95, verified_at="2026-03-01"),
            feature("tomorrow", 116.40, 39.95, verified_at="2026-03-02"),
            feature("typo", 116.41, 39.95, verified_at="2062-03-01"),
        ],
    }
    stations, problems = validate.check_collection("reg", doc, today=today)
    assert [s.id for s in stations] == ["past", "today"]
    assert [str(p) for p in problems] == [
        "reg:tomorrow: verified_at: 2026-03-02 is in the future (today is 2026-03-01 in Beijing)",
        "reg:typo: verified_at: 2062-03-01 is in the future (today is 2026-03-01 in Beijing)",
    ]


def test_today_defaults_to_beijing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-03-01 23:30 in London is already 2026-03-02 07:30 in Beijing
    monkeypatch.setattr(validate, "today_in_beijing", lambda: dt.date(2026, 3, 2))
    path = write(tmp_path, [feature("a", 116.38, 39.95, verified_at="2026-03-02")])
    assert [s.id for s in load_registry(path).stations] == ["a"]
    monkeypatch.setattr(validate, "today_in_beijing", lambda: dt.date(2026, 3, 1))
    with pytest.raises(RegistryInvalid) as err:
        load_registry(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}:a: verified_at: 2026-03-02 is in the future (today is 2026-03-01 in Beijing)"
    ]


def test_today_in_beijing_is_beijing_date() -> None:
    from locator.hours import beijing

    before = beijing().date()
    assert validate.today_in_beijing() in (before, before + dt.timedelta(days=1))


def test_import_refuses_future_verified_at(tmp_path: Path) -> None:
    csv = tmp_path / "new.csv"
    csv.write_text(
        "id,name,type,amenities,opening_hours,source,lon,lat,verified_at\n"
        "a,站点甲,warm_station,toilet,,test (synthetic),116.38,39.95,2999-01-01\n"
        "b,站点乙,warm_station,toilet,,test (synthetic),116.39,39.95,2020-01-01\n",
        encoding="utf-8",
    )
    reg = tmp_path / "reg.geojson"
    cmd = [sys.executable, "-m", "locator", "--registry", str(reg), "import", str(csv), "--crs", "wgs84"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "verified_at: 2999-01-01 is in the future (today is " in proc.stdout + proc.stderr
    assert not reg.exists()


def test_validate_command_refuses_seoul_and_case_twins(tmp_path: Path) -> None:
    path = write(tmp_path, [feature("XC-01", 126.978, 37.566), feature("xc-01", 116.38, 39.95)])
    proc = subprocess.run(
        [sys.executable, "-m", "locator", "validate", str(path)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    out = (proc.stdout + proc.stderr).splitlines()
    assert proc.returncode == 1
    assert f"{path}:XC-01: geometry: [126.978, 37.566] is outside China (about " in "\n".join(out)
    assert any(line.startswith(f"{path}:xc-01: id: id 'xc-01' differs only in case from 'XC-01'") for line in out)


def test_huge_integer_coordinates_are_out_of_range() -> None:
    doc = {"type": "FeatureCollection", "features": [feature("a", 10**400, 39.95)]}
    _, problems = validate.check_collection("reg", doc)
    assert [str(p) for p in problems] == ["reg:a: geometry: coordinates are out of range (lon -180..180, lat -90..90)"]


def test_id_longer_than_the_api_can_look_up_is_refused() -> None:
    """/stations/{id} takes at most 200 characters: a longer id could never be looked up."""
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [116.38, 39.95]},
        "properties": {
            "id": "x" * 201, "name": "测试", "type": "warm_station", "amenities": [],
            "opening_hours": None, "source": "test (synthetic)",
        },
    }  # fmt: skip
    station, problems = validate.check_feature("f:#1", feature)
    assert station is None
    assert [p.field for p in problems] == ["id"] and "200" in problems[0].message

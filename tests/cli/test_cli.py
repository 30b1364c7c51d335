"""The `locator` command end to end: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from locator.coords import from_wgs84
from locator.registry import load_registry
from tests.conftest import REPO, station


def run(
    *args: str, registry: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("LOCATOR_REGISTRY", None) if registry is None and not env else None
    cmd = [sys.executable, "-m", "locator", *(["--registry", str(registry)] if registry else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO, timeout=120)


def test_validate_shipped_data() -> None:
    r = run("validate")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "" and "0 error(s)" in r.stderr


def test_validate_broken_file_lists_every_problem(tmp_path: Path) -> None:
    doc = json.loads((REPO / "data" / "stations.geojson").read_text())
    doc["features"][0]["properties"]["type"] = "hotel"
    doc["features"][1]["properties"]["amenities"].append("sauna")
    doc["features"][2]["geometry"]["coordinates"].reverse()
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    r = run("validate", str(bad))
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{bad}:xc-desheng-service: type: unknown type 'hotel' (allowed: ")
    assert lines[1].startswith(f"{bad}:xc-desheng-warm: amenities: unknown amenity 'sauna'")
    assert lines[2].startswith(f"{bad}:xc-jinghua-service: geometry: ") and "swapped" in lines[2]


def test_nearest_json_from_sample() -> None:
    r = run("nearest", "39.95", "116.38", "--json", "--at", "2026-11-23T10:00")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 5
    first = doc["features"][0]
    assert first["id"] == "xc-desheng-service"
    assert first["properties"]["distance_m"] == pytest.approx(672.6, abs=1)
    assert first["properties"]["open"] is None  # the articles give no hours: unknown, never open
    assert first["properties"]["opening_hours_zh"] == "开放时间未知"
    dists = [f["properties"]["distance_m"] for f in doc["features"]]
    assert dists == sorted(dists)


def test_nearest_text_and_env_registry(tmp_path: Path, write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry([station("a", opening_hours="Mo-Fr 09:00-17:00; PH off"), station("b", 116.39)])
    r = run("nearest", "39.95", "116.38", "-k", "1", "--at", "2026-02-20T10:00", env={"LOCATOR_REGISTRY": str(path)})
    assert r.returncode == 0 and "[a]" in r.stdout and "已关闭" in r.stdout and "法定节假日休息" in r.stdout
    r = run("nearest", "39.95", "116.38", "--open-now", "--at", "2026-02-20T10:00", "--json", registry=path)
    assert [f["id"] for f in json.loads(r.stdout)["features"]] == ["b"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["91", "116"], "LAT: 91 is out of range"),
        (["39.9", "abc"], "LON: 'abc' is not a number"),
        (["39.9", "116", "-k", "0"], "-k: '0' must be a whole number"),
        (["39.9", "116", "-k", "1000000000"], "-k:"),
        (["39.9", "116", "--amenity", "sauna"], "--amenity: unknown amenity 'sauna'"),
        (["39.9", "116", "--crs", "mercator"], "--crs: unknown coordinate system"),
        (["39.9", "116", "--at", "noon"], "--at: 'noon' is not an ISO 8601"),
        (["39.9", "116", "--max-distance", "-1"], "--max-distance:"),
        (["39.9"], "required: LON"),
    ],
)
def test_bad_arguments_one_line_no_traceback(args: list[str], needle: str) -> None:
    r = run("nearest", *args)
    assert r.returncode == 2
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


CSV_HEADER = "编号,名称,类型,设施,开放时间,地址,区,来源,经度,纬度\n"


def gcj(lon: float, lat: float) -> tuple[float, float]:
    x, y = from_wgs84(lon, lat, "gcj02")
    return round(float(x), 7), round(float(y), 7)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_csv_with_chinese_headers_and_labels(tmp_path: Path, write_registry, encoding: str) -> None:  # type: ignore[no-untyped-def]
    reg = write_registry([station("keep", 116.30, 39.90), station("xc-new-1", 116.31, 39.91, name="旧名")])
    lon, lat = gcj(116.40, 39.93)
    csv = tmp_path / "staff.csv"
    csv.write_text(
        CSV_HEADER
        + "xc-new-1,新驿站,暖心驿站,热饭；饮水、如厕,Mo-Fr 09:00-17:00; PH off,"
        + f"西城区某街,西城区,街道调查 2026,{lon},{lat}\n"
        + f"xc-new-2,母婴室,母婴关爱室,,,,,街道调查 2026,{lon + 0.01},{lat}\n",
        encoding=encoding,
    )
    r = run("import", str(csv), "--crs", "gcj02", "--mode", "update", registry=reg)
    assert r.returncode == 0, r.stdout + r.stderr
    stations = {s.id: s for s in load_registry(reg).stations}
    assert set(stations) == {"keep", "xc-new-1", "xc-new-2"}
    new = stations["xc-new-1"]
    assert new.name == "新驿站" and new.type == "warm_station"
    assert new.amenities == ("microwave", "drinking_water", "toilet")
    assert abs(new.lon - 116.40) < 1e-6 and abs(new.lat - 39.93) < 1e-6  # GCJ-02 → WGS-84
    assert stations["xc-new-2"].opening_hours is None and stations["xc-new-2"].type == "mother_baby_room"


def test_import_with_bad_rows_changes_nothing(tmp_path: Path, write_registry) -> None:  # type: ignore[no-untyped-def]
    reg = write_registry([station("keep")])
    before = reg.read_bytes()
    csv = tmp_path / "bad.csv"
    csv.write_text(
        CSV_HEADER
        + "ok-1,好站,暖心驿站,热饭,24/7,,,调查,116.40,39.93\n"
        + "bad-1,坏站,旅馆,热饭,24/7,,,调查,116.40,39.93\n"
        + "bad-2,坏站2,暖心驿站,桑拿,8-18,,,调查,abc,39.93\n"
        + "ok-1,重复,暖心驿站,,,,,调查,116.41,39.93\n",
        encoding="utf-8",
    )
    r = run("import", str(csv), "--crs", "wgs84", registry=reg)
    assert r.returncode == 1
    out = r.stdout
    assert f"{csv}:3: type: unknown type '旅馆'" in out
    assert f"{csv}:4: lon: 'abc' is not a number" in out
    assert f"{csv}:5: id: duplicate id 'ok-1' (first used at {csv}:2)" in out
    assert "nothing was changed" in r.stderr
    assert reg.read_bytes() == before


@pytest.mark.parametrize("ext", ["csv", "xlsx", "geojson", "gpkg"])
def test_export_import_round_trip(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"export.{ext}"
    r = run("export", str(out), registry=REPO / "data" / "stations.geojson")
    assert r.returncode == 0, r.stderr
    reg = tmp_path / "copy.geojson"
    r = run("import", str(out), "--crs", "wgs84", "--replace", registry=reg)
    assert r.returncode == 0, r.stdout + r.stderr
    a = load_registry(REPO / "data" / "stations.geojson").stations
    b = load_registry(reg).stations
    assert [s.id for s in a] == [s.id for s in b]
    for x, y in zip(a, b, strict=True):
        assert (x.name, x.amenities, x.note, x.source) == (y.name, y.amenities, y.note, y.source)
        assert abs(x.lon - y.lon) < 1e-7 and abs(x.lat - y.lat) < 1e-7


def test_export_csv_in_gcj02_opens_in_excel(tmp_path: Path) -> None:
    out = tmp_path / "amap.csv"
    assert run("export", str(out), "--crs", "gcj02").returncode == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Chinese correctly
    assert "德胜街道工会服务站" in raw.decode("utf-8-sig")


def test_import_unsupported_file(tmp_path: Path, write_registry) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "x.doc"
    f.write_text("hi")
    r = run("import", str(f), "--crs", "wgs84", registry=write_registry([station("a")]))
    assert r.returncode == 2 and "unsupported file type '.doc'" in r.stderr
    f.with_suffix(".csv").write_text("id,name,type,source,lon,lat\na,站,暖心驿站,调查,116.4,39.9\n")
    r = run("import", str(f.with_suffix(".csv")), registry=write_registry([station("a")]))
    assert r.returncode == 2 and "--crs" in r.stderr

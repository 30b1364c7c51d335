"""`locator import --mode add|update|replace --dry-run`, `validate` and `export` on stores and
GeoJSON registries, through real `locator` processes on files in tmp_path."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from locator.model import Station
from locator.registry import load_registry, save_registry
from locator.store import create_store, open_store
from locator.store.features import to_json
from tests.conftest import REPO, station

CSV_HEADER = "id,name,type,amenities,opening_hours,source,lon,lat\n"


def locator(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    env.pop("LOCATOR_REGISTRY", None)
    cmd = [sys.executable, "-m", "locator", *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, check=False)


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text(CSV_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def row(sid: str, name: str | None = None, lon: float = 116.38, lat: float = 39.95, hours: str = "24/7") -> str:
    return f"{sid},{name or '测试站点 ' + sid},warm_station,drinking_water,{hours},test fixture (synthetic),{lon},{lat}"


def three() -> list[Station]:
    return [station("a", 116.30), station("b", 116.31), station("c", 116.32)]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "reg.sqlite"
    store, _ = create_store(path, three(), by="init", why="test registry")
    store.close()
    return path


def head(path: Path) -> int:
    store = open_store(path)
    try:
        return store.head()
    finally:
        store.close()


def ids(path: Path) -> list[str]:
    if path.suffix == ".sqlite":
        store = open_store(path)
        try:
            return [s.id for s in store.stations()]
        finally:
            store.close()
    return [s.id for s in load_registry(path).stations]


# -- modes on a store ---------------------------------------------------------------------------
def test_add_refuses_every_existing_id_and_writes_nothing(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "new.csv", row("a", lon=116.33), row("d", lon=116.34), row("c", lon=116.35))
    before = head(store_path)
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        f"{f}:a: id: already in the registry (use --mode update to change it)",
        f"{f}:c: id: already in the registry (use --mode update to change it)",
    ]
    assert "nothing was changed" in r.stderr
    assert head(store_path) == before and ids(store_path) == ["a", "b", "c"]


def test_add_new_ids_is_one_change_set_by_import(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "new.csv", row("d", lon=116.34), row("e", lon=116.35))
    before = head(store_path)
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84")
    assert r.returncode == 0, r.stderr
    assert "(2 added, 0 changed, 0 deleted, 0 unchanged)" in r.stderr
    revs = open_store(store_path).changes(before, 100)
    assert [(v.station_id, v.op, v.by, v.why) for v in revs] == [
        ("d", "import", "import", "import new.csv"),
        ("e", "import", "import", "import new.csv"),
    ]
    assert ids(store_path) == ["a", "b", "c", "d", "e"]


def test_update_changes_existing_and_adds_new_sharing_by_and_why(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "upd.csv", row("a", "新名字", lon=116.30), row("b", lon=116.31), row("d", lon=116.36))
    before = head(store_path)
    r = locator(
        tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--mode", "update",
        "--by", "王芳", "--why", "街道年度核对",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "(1 added, 1 changed, 0 deleted, 1 unchanged)" in r.stderr
    store = open_store(store_path)
    revs = store.changes(before, 100)
    assert {(v.station_id, v.op) for v in revs} == {("a", "import"), ("d", "import")}
    assert {(v.by, v.why) for v in revs} == {("王芳", "街道年度核对")}
    cur = store.get("a")
    assert cur is not None and cur.station.name == "新名字" and cur.rev == 2
    assert store.history("b")[-1].rev == 1  # unchanged: no revision


def test_replace_deletes_missing_stations_with_tombstones(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "all.csv", row("b", lon=116.31), row("d", lon=116.36))
    before = head(store_path)
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--mode", "replace")
    assert r.returncode == 0, r.stderr
    assert "(1 added, 0 changed, 2 deleted, 1 unchanged)" in r.stderr
    assert ids(store_path) == ["b", "d"]
    revs = open_store(store_path).changes(before, 100)
    tombstones = [(v.station_id, v.op, v.feed_op) for v in revs if v.after is None]
    assert tombstones == [("a", "delete", "delete"), ("c", "delete", "delete")]
    assert len({(v.by, v.why, v.at) for v in revs}) == 1  # one change set


def test_old_replace_flag_is_mode_replace_and_contradiction_is_refused(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "all.csv", row("b", lon=116.31))
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--replace")
    assert r.returncode == 0, r.stderr
    assert ids(store_path) == ["b"]
    r = locator(
        tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--replace", "--mode", "add"
    )
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "--replace" in r.stderr


def test_a_bad_row_writes_nothing(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "bad.csv", row("a", "改名", lon=116.30), row("d", lon=116.36), row("e", hours="Mon 9-5"))
    before = head(store_path)
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--mode", "update")
    assert r.returncode == 1
    assert ":4: opening_hours:" in r.stdout  # the bad row, by its row number
    assert head(store_path) == before and ids(store_path) == ["a", "b", "c"]


def test_a_case_twin_refused_by_the_store_writes_nothing(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "twin.csv", row("d", lon=116.36), row("A", lon=116.37))
    before = head(store_path)
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84")
    assert r.returncode == 1 and "differs from 'a' only in case" in r.stdout
    assert head(store_path) == before


# -- dry run ------------------------------------------------------------------------------------
def test_dry_run_prints_fields_old_and_new_and_changes_nothing(tmp_path: Path, store_path: Path) -> None:
    f = csv_file(tmp_path / "plan.csv", row("a", "新名字", lon=116.305, lat=39.96), row("b", lon=116.31), row("d"))
    before = head(store_path)
    r = locator(
        tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "wgs84", "--mode", "replace", "--dry-run"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "1 added, 1 changed, 1 deleted, 1 unchanged",
        "+ d 测试站点 d",
        "~ a",
        '    name: "测试站点 a" → "新名字"',
        "    geometry: 39.95,116.3 → 39.96,116.305",
        "- c 测试站点 c",
    ]
    assert "nothing was changed" in r.stderr
    assert head(store_path) == before and ids(store_path) == ["a", "b", "c"]


def test_dry_run_on_a_geojson_registry(tmp_path: Path) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, three())
    data = reg.read_bytes()
    f = csv_file(tmp_path / "plan.csv", row("b", lon=116.31, hours="Mo-Fr 09:00-17:00"))
    r = locator(tmp_path, "--registry", str(reg), "import", str(f), "--crs", "wgs84", "--mode", "update", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "0 added, 1 changed, 0 deleted, 0 unchanged",
        "~ b",
        '    opening_hours: "24/7" → "Mo-Fr 09:00-17:00"',
    ]
    assert reg.read_bytes() == data


# -- modes on a GeoJSON registry ------------------------------------------------------------------
def test_modes_on_a_geojson_registry(tmp_path: Path) -> None:
    reg = tmp_path / "reg.geojson"
    save_registry(reg, three())
    f = csv_file(tmp_path / "x.csv", row("b", "改名", lon=116.31), row("d", lon=116.36))
    r = locator(tmp_path, "--registry", str(reg), "import", str(f), "--crs", "wgs84")
    assert r.returncode == 1 and r.stdout.startswith(f"{f}:b: id: already in the registry")
    assert ids(reg) == ["a", "b", "c"]
    r = locator(tmp_path, "--registry", str(reg), "import", str(f), "--crs", "wgs84", "--mode", "update")
    assert r.returncode == 0 and "(1 added, 1 changed, 0 deleted, 0 unchanged)" in r.stderr
    assert ids(reg) == ["a", "b", "c", "d"] and load_registry(reg).by_id["b"].name == "改名"
    r = locator(tmp_path, "--registry", str(reg), "import", str(f), "--crs", "wgs84", "--mode", "replace")
    assert r.returncode == 0 and "(0 added, 0 changed, 2 deleted, 2 unchanged)" in r.stderr
    assert ids(reg) == ["b", "d"]


def test_a_conflicting_crs_for_geojson_is_refused(tmp_path: Path, store_path: Path) -> None:
    f = tmp_path / "in.geojson"
    save_registry(f, [station("d", 116.36)])
    r = locator(tmp_path, "--registry", str(store_path), "import", str(f), "--crs", "gcj02")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "WGS-84" in r.stderr
    assert ids(store_path) == ["a", "b", "c"]


# -- validate and export ----------------------------------------------------------------------------
def test_validate_a_store_names_a_corrupted_feature(tmp_path: Path, store_path: Path) -> None:
    r = locator(tmp_path, "validate", str(store_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 valid station(s), 0 error(s)" in r.stderr
    bad = to_json(station("zz", 116.33, type="palace")).decode()
    gone = to_json(station("yy", 116.34)).decode().replace('"geometry"', '"geom"')
    con = sqlite3.connect(store_path)
    with con:
        for sid, feature in (("zz", bad), ("yy", gone)):
            con.execute("INSERT INTO stations VALUES (?, 1, 1, NULL, 116.33, 39.95, 0, 0, 0, NULL, ?)", (sid, feature))
    con.close()
    r = locator(tmp_path, "--registry", str(store_path), "validate")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any(line.startswith(f"{store_path}:zz: type: unknown type 'palace'") for line in lines), lines
    assert any(line.startswith(f"{store_path}:yy: geometry:") for line in lines), lines
    assert "3 valid station(s), 2 error(s)" in r.stderr


def test_validate_a_store_refuses_crs(tmp_path: Path, store_path: Path) -> None:
    r = locator(tmp_path, "validate", str(store_path), "--crs", "gcj02")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("ext", ["geojson", "csv", "xlsx", "gpkg"])
def test_export_from_a_store_round_trips_as_no_change(tmp_path: Path, store_path: Path, ext: str) -> None:
    out = tmp_path / f"out.{ext}"
    r = locator(tmp_path, "--registry", str(store_path), "export", str(out))
    assert r.returncode == 0 and "exported 3 station(s)" in r.stderr, r.stderr
    crs = [] if ext in ("geojson", "gpkg") else ["--crs", "wgs84"]
    r = locator(tmp_path, "--registry", str(store_path), "import", str(out), *crs, "--mode", "replace", "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines() == ["0 added, 0 changed, 0 deleted, 3 unchanged"]


def test_export_to_geojson_from_a_store_is_the_registry_file(tmp_path: Path, store_path: Path) -> None:
    out = tmp_path / "out.geojson"
    assert locator(tmp_path, "--registry", str(store_path), "export", str(out)).returncode == 0
    twin = tmp_path / "twin.geojson"
    save_registry(twin, three())
    assert out.read_bytes() == twin.read_bytes()


def test_export_gcj02_csv_from_a_store(tmp_path: Path, store_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = locator(tmp_path, "--registry", str(store_path), "export", str(out), "--crs", "gcj02")
    assert r.returncode == 0, r.stderr
    header, first = out.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.endswith("lon (gcj02),lat (gcj02)")
    lon = float(first.split(",")[-2])
    assert 0.004 < lon - 116.30 < 0.008  # shifted east by ~500 m in Beijing


@pytest.mark.parametrize("kind", ["sqlite", "geojson"])
@pytest.mark.parametrize("mode", ["update", "replace"])
def test_properties_the_file_does_not_give_keep_their_values(tmp_path: Path, kind: str, mode: str) -> None:
    """A spreadsheet of names and hours must not wipe operators, notes, sign codes, nor turn an
    approximate position into an exact one."""
    rich = station("a", 116.30, operator="街道工会", note="门口有坡道", coord_precision="approximate", code="XC-7")
    path = tmp_path / f"reg.{kind}"
    if kind == "sqlite":
        create_store(path, [rich, station("b", 116.31)], by="init", why="test")[0].close()
    else:
        save_registry(path, [rich, station("b", 116.31)])
    file = csv_file(tmp_path / "in.csv", row("a", "新名字", lon=116.30), row("b", lon=116.31))
    r = locator(tmp_path, "--registry", str(path), "import", str(file), "--crs", "wgs84", "--mode", mode)
    assert r.returncode == 0, r.stderr
    got = {s.id: s for s in (open_store(path).stations() if kind == "sqlite" else load_registry(path).stations)}
    a = got["a"]
    assert (a.name, a.operator, a.note, a.coord_precision, a.code) == (
        "新名字",
        "街道工会",
        "门口有坡道",
        "approximate",
        "XC-7",
    )


def test_dry_run_makes_the_checks_of_the_real_import(tmp_path: Path, store_path: Path) -> None:
    file = csv_file(tmp_path / "in.csv", row("A", lon=116.5))  # a case twin of `a`
    before = head(store_path)
    dry = locator(tmp_path, "--registry", str(store_path), "import", str(file), "--crs", "wgs84", "--dry-run")
    real = locator(tmp_path, "--registry", str(store_path), "import", str(file), "--crs", "wgs84")
    assert dry.returncode == real.returncode == 1
    assert "only in case" in dry.stdout + dry.stderr and "only in case" in real.stdout + real.stderr
    assert head(store_path) == before

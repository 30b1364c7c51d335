"""`locator export` refusals, `import` warnings and `validate` on files to import."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pyogrio.errors
import pytest

from locator.cli import main
from tests.cli.test_cli import run
from tests.conftest import station

Cap = pytest.CaptureFixture[str]


def call(capsys: Cap, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, out: str, err: str, expect_code: int, *needles: str) -> None:
    assert code == expect_code, out + err
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def export(capsys: Cap, reg: Path, out: Path, *args: str) -> tuple[int, str, str]:
    return call(capsys, "--registry", str(reg), "export", str(out), *args)


# ---- property names a format cannot hold --------------------------------------------------------


@pytest.mark.parametrize(
    ("ext", "extra", "needles"),
    [
        ("gpkg", {"fid": "1"}, ["'s'", "'fid'", "reserves", "rename"]),
        ("gpkg", {"geometry": "x"}, ["'geometry'", "reserves"]),
        ("gpkg", {"Foo": "a", "foo": "b"}, ["'Foo'", "'foo'", "case"]),
        ("csv", {"": "x"}, ["''", "empty name"]),
        ("xlsx", {"": "x"}, ["empty name"]),
        ("gpkg", {"": "x"}, ["empty name"]),
        ("xlsx", {"bad\x07name": "x"}, ["control character", "\\x07"]),
        ("csv", {"名称": "x"}, ["'name'"]),
    ],
)
def test_property_names_a_format_cannot_hold_are_refused(
    capsys: Cap, tmp_path: Path, write_registry: Any, ext: str, extra: dict[str, str], needles: list[str]
) -> None:
    reg = write_registry([station("s", extra=extra)])
    out = tmp_path / f"out.{ext}"
    one_line(*export(capsys, reg, out), 2, "FILE", *needles)
    assert not out.exists()
    assert export(capsys, reg, tmp_path / "ok.geojson")[0] == 0  # GeoJSON holds any name


def test_gdal_write_errors_are_one_line_naming_the_file(
    capsys: Cap, tmp_path: Path, write_registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geopandas as gpd

    def full(*_a: Any, **_k: Any) -> None:
        raise pyogrio.errors.FeatureError("failed to write feature 1 to layer stations")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", full)
    reg = write_registry([station("s")])
    out = tmp_path / "out.gpkg"
    one_line(*export(capsys, reg, out), 1, str(out), "could not write", "disk full?")
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["reg.geojson"]

    def enospc(*_a: Any, **_k: Any) -> None:
        raise pyogrio.errors.DataSourceError("sqlite3_exec failed: database or disk is full; No space left on device")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", enospc)
    one_line(*export(capsys, reg, out), 1, str(out), "disk full")


# ---- XLSX cell limit ------------------------------------------------------------------------------


def test_text_longer_than_a_cell_never_reaches_xlsx(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    """The registry refuses notes over 2,000 characters, far below XLSX's 32,767 per cell."""
    reg = write_registry([station("long", note="长" * 40_000)])
    out = tmp_path / "out.xlsx"
    code, out_text, err = export(capsys, reg, out)
    assert code == 1 and "long: note: is 40,000 characters long; at most 2,000 allowed" in out_text + err, err
    assert not out.exists()


# ---- header cells are neutralised --------------------------------------------------------------


FORMULA = '=HYPERLINK("http://evil","x")'


def test_header_cells_are_never_formulas(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    reg = write_registry([station("s", extra={FORMULA: "v"})])
    csv_out, xlsx_out = tmp_path / "o.csv", tmp_path / "o.xlsx"
    assert export(capsys, reg, csv_out)[0] == 0
    assert export(capsys, reg, xlsx_out)[0] == 0
    header = next(csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    assert "'" + FORMULA in header and FORMULA not in header
    ws = openpyxl.load_workbook(xlsx_out).active
    cells = [c for c in ws[1] if c.value == FORMULA]
    assert cells and cells[0].data_type == "s" and cells[0].quotePrefix


# ---- --crs for GIS files --------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["geojson", "gpkg"])
def test_gis_export_refuses_another_crs(capsys: Cap, tmp_path: Path, write_registry: Any, ext: str) -> None:
    reg = write_registry([station("s")])
    out = tmp_path / f"o.{ext}"
    one_line(*export(capsys, reg, out, "--crs", "gcj02"), 2, "--crs", "WGS-84", "EPSG")
    assert not out.exists()
    assert export(capsys, reg, out, "--crs", "wgs84")[0] == 0


# ---- read-only target, missing folder ------------------------------------------------------------


def test_export_refuses_a_read_only_file(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    reg = write_registry([station("s")])
    out = tmp_path / "o.csv"
    out.write_text("keep me")
    out.chmod(0o444)  # no write bit: refused even as root, where os.access says writable
    one_line(*export(capsys, reg, out), 2, str(out), "read-only")
    assert out.read_text() == "keep me" and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_export_refuses_a_missing_folder(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    reg = write_registry([station("s")])
    out = tmp_path / "nope" / "o.xlsx"
    one_line(*export(capsys, reg, out), 2, "folder", "nope", "does not exist")
    assert not (tmp_path / "nope").exists()


# ---- import prints warnings -----------------------------------------------------------------------


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(["id,name,type,lon,lat,source", *rows]) + "\n", encoding="utf-8")
    return path


def test_import_prints_its_warnings(capsys: Cap, tmp_path: Path) -> None:
    f = _csv(tmp_path / "dup.csv", ["a,同名站,warm_station,116.4,39.9,t", "b,同名站,warm_station,116.40001,39.9,t"])
    reg = tmp_path / "reg.geojson"
    code, out, err = call(capsys, "--registry", str(reg), "import", str(f), "--crs", "wgs84")
    assert code == 0, err
    assert "duplicate?" in out and len(out.strip().splitlines()) == 1, out
    assert "imported 2 station(s)" in err


def test_import_caps_the_warnings_it_prints(capsys: Cap, tmp_path: Path) -> None:
    rows = [f"{p}{i},站{i},warm_station,{116 + i * 0.01:.5f},39.9,t" for i in range(60) for p in "ab"]
    f = _csv(tmp_path / "many.csv", rows)
    code, out, _err = call(capsys, "--registry", str(tmp_path / "r.geojson"), "import", str(f), "--crs", "wgs84")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 51 and lines[-1].startswith("… and 10 more"), out


# ---- validate on a file to import ---------------------------------------------------------------


def test_validate_checks_a_spreadsheet_as_import_would(tmp_path: Path) -> None:
    f = _csv(tmp_path / "s.csv", ["a,站,warm_station,116.4,abc,t"])
    r = run("validate", str(f))
    assert r.returncode == 2 and "--crs" in r.stderr and "gcj02" in r.stderr, r.stderr
    r = run("validate", str(f), "--crs", "wgs84")
    assert r.returncode == 1 and "'abc' is not a number" in r.stdout and "JSON" not in r.stdout + r.stderr, r
    f.write_bytes(b"\xef\xbb\xbf" + _csv(tmp_path / "ok.csv", ["a,站,warm_station,116.4,39.9,t"]).read_bytes())
    r = run("validate", str(f), "--crs", "gcj02")
    assert r.returncode == 0 and "1 valid station(s)" in r.stderr, r


def test_validate_honours_a_geojson_crs_member(tmp_path: Path) -> None:
    f = tmp_path / "qgis.geojson"
    f.write_text(
        '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},'
        '"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[12957000.0,4852000.0]},'
        '"properties":{"id":"a","name":"站","type":"warm_station","source":"t","amenities":[],"opening_hours":null}}]}'
    )
    r = run("validate", str(f))
    assert r.returncode == 0 and r.stdout == "" and "1 valid station(s)" in r.stderr, r


def test_validate_registry_with_bom_and_bad_bytes(tmp_path: Path) -> None:
    f = tmp_path / "reg.geojson"
    f.write_bytes(b'\xef\xbb\xbf{"type":"FeatureCollection","features":[]}')
    assert run("validate", str(f)).returncode == 0
    f.write_bytes(b'{"type":"FeatureCollection","features":[{"x":"\xff"}]}')
    r = run("validate", str(f))
    assert r.returncode == 1 and "not UTF-8 text" in r.stdout and "byte 46" in r.stdout, r.stdout


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_formula_like_header_imports_back(capsys: Cap, tmp_path: Path, write_registry: Any, ext: str) -> None:
    reg = write_registry([station("s", extra={"=SUM(1+1)": "v"})])
    out = tmp_path / f"o.{ext}"
    assert export(capsys, reg, out)[0] == 0
    back = tmp_path / "back.geojson"
    code, _out, err = call(
        capsys, "--registry", str(back), "import", str(out), "--crs", "wgs84", "--keep-columns", "=SUM(1+1)"
    )
    assert code == 0, err
    assert json.loads(back.read_text())["features"][0]["properties"]["=SUM(1+1)"] == "v"

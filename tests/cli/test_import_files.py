"""`locator import` / `export` on real files: encodings, headers, sheets, CRS, malformed files.

Most cases call `locator.cli.main` in-process (fast); a few run the real `locator` process.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from locator.cli import main
from locator.registry import load_registry
from tests.cli.test_cli import run
from tests.conftest import station

Cap = pytest.CaptureFixture[str]
HEADER = "id,name,type,amenities,opening_hours,source,lon,lat\n"
ROW_A = "a,德胜驿站,暖心驿站,热饭,24/7,调查,116.38,39.95\n"
ROW_B = "b,新街口驿站,暖心驿站,饮水,24/7,调查,116.37,39.94\n"


def call(capsys: Cap, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def reg(write_registry: Any) -> Path:
    return write_registry([station("keep")])


def imp(capsys: Cap, reg: Path, *args: str) -> tuple[int, str, str]:
    return call(capsys, "--registry", str(reg), "import", *args)


def one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, out + err
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


# ---- class 2: encodings --------------------------------------------------------------------


def test_mixed_utf8_and_gbk_rows_are_refused_naming_the_line(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = tmp_path / "mixed.csv"
    f.write_bytes((HEADER + ROW_A).encode() + ROW_B.encode("gbk"))
    before = reg.read_bytes()
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), f"{f}:line 3:", "mixes encodings", "UTF-8")
    assert reg.read_bytes() == before
    f.write_bytes(HEADER.encode() + ROW_B.encode("gbk") + ROW_A.encode())  # GBK first, UTF-8 later
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), f"{f}:line 2:", "mixes encodings")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_whole_file_encodings_are_read(capsys: Cap, tmp_path: Path, reg: Path, encoding: str) -> None:
    text = HEADER + ROW_A + ROW_B
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
        text = text.replace(",", "\t")
    f = tmp_path / "s.csv"
    f.write_bytes(text.encode(encoding))
    code, out, err = imp(capsys, reg, str(f), "--crs", "wgs84")
    assert code == 0, out + err
    names = {s.id: s.name for s in load_registry(reg).stations}
    assert names == {"keep": "测试站点 keep", "a": "德胜驿站", "b": "新街口驿站"}


# ---- class 3: headers ------------------------------------------------------------------------


def test_chinese_synonyms_and_loose_english_headers(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text(
        "编号,站点 名称,站点类型,服务设施,营业时间,详细地址,所在区,联系电话,数据来源,"
        "经度（高德）,纬度（高德）,Opening-Notes\n"
        "a,德胜驿站,暖心驿站,热饭、饮水,Mo-Fr 09:00-17:00,德胜门外,西城区,010-1234 5678 / 13800138000,调查,"
        "116.38,39.95,门口有坡道\n",
        encoding="utf-8",
    )
    one_line_error(*imp(capsys, reg, str(f), "--crs", "gcj02"), "unknown column(s) 'Opening-Notes'", "Known: id (编号)")
    code, out, err = imp(capsys, reg, str(f), "--crs", "gcj02", "--keep-columns", "Opening-Notes")
    assert code == 0, out + err
    a = load_registry(reg).by_id["a"]
    assert (a.name, a.opening_hours, a.district) == ("德胜驿站", "Mo-Fr 09:00-17:00", "西城区")
    assert a.phone == "010-1234 5678;13800138000"  # two numbers: kept, separated by ';'
    assert a.amenities == ("microwave", "drinking_water") and a.extra == {"Opening-Notes": "门口有坡道"}


@pytest.mark.parametrize(
    ("header", "needles"),
    [
        ("id,name,type,adress,opening_hours,source,lon,lat", ["'adress' (did you mean address?)"]),
        ("id,name,type,amenities,开放时段,source,lon,lat", ["'开放时段' (did you mean opening_hours?)"]),
        ("id,name,名称,type,amenities,opening_hours,source,lon,lat", ["columns 'name' and '名称' are both name"]),
        ("id,name,type,amenities,opening_hours,lon,lat", ["missing column(s): source (来源)"]),
    ],
)
def test_unknown_or_doubled_headers_are_one_line_errors(
    capsys, tmp_path: Path, reg: Path, header: str, needles: list[str]
) -> None:
    f = tmp_path / "s.csv"
    f.write_text(header + "\n", encoding="utf-8")
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), f"{f}:1:", *needles)


# ---- class 4: CRS of self-describing files -----------------------------------------------------


def _geojson(tmp_path: Path, crs_name: str | None, coords: list[float]) -> Path:
    doc: dict[str, object] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": coords},
                "properties": {"id": "g", "name": "站", "type": "warm_station", "amenities": [],
                               "opening_hours": None, "source": "测试"},
            }
        ],
    }  # fmt: skip
    if crs_name:
        doc["crs"] = {"type": "name", "properties": {"name": crs_name}}
    f = tmp_path / "g.geojson"
    f.write_text(json.dumps(doc), encoding="utf-8")
    return f


def test_geojson_with_gcj02_flag_is_refused_not_shifted(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = _geojson(tmp_path, None, [116.38, 39.95])
    one_line_error(*imp(capsys, reg, str(f), "--crs", "gcj02"), "WGS-84 (GeoJSON, RFC 7946)", "--crs gcj02")
    assert imp(capsys, reg, str(f))[0] == 0  # --crs is optional for GIS files
    assert load_registry(reg).by_id["g"].lon == 116.38


def test_geojson_legacy_crs_member_is_honoured_or_refused(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    import pyproj

    x, y = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(116.38, 39.95)
    f = _geojson(tmp_path, "urn:ogc:def:crs:EPSG::3857", [x, y])
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), "EPSG::3857", "--crs wgs84")
    assert imp(capsys, reg, str(f))[0] == 0
    g = load_registry(reg).by_id["g"]
    assert abs(g.lon - 116.38) < 1e-7 and abs(g.lat - 39.95) < 1e-7
    f = _geojson(tmp_path, "urn:ogc:def:crs:OGC:1.3:CRS84", [116.38, 39.95])
    assert imp(capsys, reg, str(f), "--crs", "wgs84", "--mode", "update")[0] == 0
    f = _geojson(tmp_path, "EPSG:999999", [116.38, 39.95])
    one_line_error(*imp(capsys, reg, str(f)), "unknown coordinate system 'EPSG:999999'")


def test_geopackage_crs_is_read_and_conflicting_flag_refused(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"id": ["p"], "name": ["站"], "type": ["warm_station"], "amenities": ["热饭"], "opening_hours": [None],
         "source": ["测试"], "verified_at": [dt.datetime(2026, 1, 5)]},
        geometry=gpd.points_from_xy([116.38], [39.95]), crs=4326,
    ).to_crs(3857)  # fmt: skip
    f = tmp_path / "p.gpkg"
    gdf.to_file(f, driver="GPKG", layer="stations")
    for flag in ("gcj02", "wgs84"):
        one_line_error(*imp(capsys, reg, str(f), "--crs", flag), "WGS 84 / Pseudo-Mercator", f"--crs {flag}")
    code, out, err = imp(capsys, reg, str(f))
    assert code == 0, out + err
    p = load_registry(reg).by_id["p"]
    assert abs(p.lon - 116.38) < 1e-7 and abs(p.lat - 39.95) < 1e-7
    assert p.verified_at == dt.date(2026, 1, 5) and p.amenities == ("microwave",)  # datetime column → date


def test_spreadsheet_needs_crs(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text(HEADER + ROW_A, encoding="utf-8")
    one_line_error(*imp(capsys, reg, str(f)), "--crs:", "wgs84, gcj02 or bd09")


# ---- class 9: empty replace, sheets, phones ------------------------------------------------------


@pytest.mark.parametrize("content", [HEADER, '{"type":"FeatureCollection","features":[]}'])
def test_replace_with_no_station_needs_allow_empty(capsys: Cap, tmp_path: Path, reg: Path, content: str) -> None:
    f = tmp_path / ("e.csv" if content == HEADER else "e.geojson")
    f.write_text(content, encoding="utf-8")
    before = reg.read_bytes()
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84", "--replace"), "--allow-empty", "holds no station")
    assert reg.read_bytes() == before
    assert imp(capsys, reg, str(f), "--crs", "wgs84", "--replace", "--allow-empty")[0] == 0
    assert load_registry(reg).stations == []


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


COLS = ["编号", "名称", "类型", "设施", "开放时间", "来源", "经度", "纬度"]


def test_every_sheet_is_read_and_others_refused(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    rows1 = [COLS, ["x1", "一号", "暖心驿站", "", "24/7", "调查", 116.38, 39.95]]
    rows2 = [
        COLS,
        ["x2", "二号", "暖心驿站", "", "24/7", "调查", 116.39, 39.95],
        [],
        ["x3", "", "旅馆", "", "", "", 1, 2],
    ]
    f = _workbook(tmp_path / "w.xlsx", {"西城": rows1, "朝阳": rows2})
    code, out, _err = imp(capsys, reg, str(f), "--crs", "wgs84")
    assert code == 1
    assert f"{f}:朝阳!4: name: required field is missing" in out and f"{f}:朝阳!4: type: unknown type '旅馆'" in out
    rows2.pop()
    f = _workbook(tmp_path / "w.xlsx", {"西城": rows1, "朝阳": rows2})
    assert imp(capsys, reg, str(f), "--crs", "wgs84")[0] == 0
    assert {"x1", "x2"} <= set(load_registry(reg).by_id)
    f = _workbook(tmp_path / "w.xlsx", {"西城": rows1, "说明": [["经纬度请在高德地图拾取"]]})
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), f"{f}:说明!1:", "sheet '说明'")


# ---- class 14/15: malformed files, row numbers, date cells, all errors of a row ----------------


def test_messy_staff_workbook(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    """Title row merged above the header, blank rows, spaced Chinese headers, an Excel date cell,
    a phone cell with two numbers, a number cell for a phone, and a row with several errors."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "西城区暖心驿站名单"
    ws.merge_cells("A1:J1")
    ws.append([])
    ws.append(["编号", " 站点 名称 ", "类型", "服务设施", "营业时间", "联系电话", "来源", "经度", "纬度", "核实日期"])
    ws.append(["a", "德胜驿站", "暖心驿站", "热饭", "24/7", "010-1234 5678 / 13800138000", "调查", 116.38, 39.95,
               dt.datetime(2026, 1, 5)])  # fmt: skip
    ws.append([])
    ws.append(["b", "新街口", "旅馆", "桑拿", "全天", 13800138001, "调查", "abc", 39.95, "2026-01-05"])
    f = tmp_path / "messy.xlsx"
    wb.save(f)
    code, out, _err = imp(capsys, reg, str(f), "--crs", "gcj02")
    assert code == 1
    lines = out.splitlines()
    for needle in ("6: lon: 'abc' is not a number", "6: type: unknown type '旅馆'", "6: amenities:",
                   "6: opening_hours: '全天'"):  # fmt: skip
        assert any(line.startswith(f"{f}:") and needle in line for line in lines), (needle, out)
    ws["C6"], ws["D6"], ws["E6"], ws["H6"] = "暖心驿站", "饮水", "24/7", 116.37
    wb.save(f)
    code, out, err = imp(capsys, reg, str(f), "--crs", "gcj02")
    assert code == 0, out + err
    a, b = load_registry(reg).by_id["a"], load_registry(reg).by_id["b"]
    assert a.verified_at == dt.date(2026, 1, 5) and a.phone == "010-1234 5678;13800138000"
    assert b.phone == "13800138001"


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("empty.csv", b"", ["is empty"]),
        ("extra.csv", (HEADER + "a,站,暖心驿站,,24/7,调查,116.38,39.95,surplus\n").encode(), [":2:", "cell I2"]),
        ("quote.csv", (HEADER + 'a,"站,暖心驿站,,24/7,调查,116.38,39.95\n').encode(), [":2:", "never closed"]),
        ("nul.csv", b"id\x00name\n", ["NUL"]),
        ("fake.xlsx", b"this is not a workbook", ["not an Excel workbook"]),
        ("fake.gpkg", b"this is not a geopackage", ["not a readable GeoPackage"]),
        ("bad.geojson", b"{not json", ["not valid JSON"]),
        ("list.geojson", b"[1, 2]", ["FeatureCollection"]),
    ],
)
def test_malformed_files_one_line_exit_2(
    capsys, tmp_path: Path, reg: Path, name: str, content: bytes, needles: list[str]
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    one_line_error(*imp(capsys, reg, str(f), "--crs", "wgs84"), str(f), *needles)


def test_geojson_geometry_string_or_list_names_the_feature(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    props = {"id": "s", "name": "站", "type": "warm_station", "amenities": [], "opening_hours": None, "source": "t"}
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": "POINT(116 39)", "properties": props},
        {"type": "Feature", "geometry": [116.3, 39.9], "properties": {**props, "id": "l"}},
    ]}  # fmt: skip
    f = tmp_path / "g.geojson"
    f.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _err = imp(capsys, reg, str(f))
    assert code == 1 and f"{f}:s: geometry: must be a GeoJSON Point" in out and f"{f}:l: geometry:" in out


def test_gpkg_amenities_cell_that_is_not_json(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"id": ["p"], "name": ["站"], "type": ["warm_station"], "amenities": ["[abc"], "opening_hours": [None],
         "source": ["测试"]},
        geometry=gpd.points_from_xy([116.38], [39.95]), crs=4326,
    )  # fmt: skip
    f = tmp_path / "p.gpkg"
    gdf.to_file(f, driver="GPKG", layer="stations")
    code, out, _err = imp(capsys, reg, str(f))
    assert code == 1 and f"{f}:p: amenities: '[abc' is not a JSON list" in out


def test_csv_row_numbers_count_blank_lines(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text(HEADER + ROW_A + "\n\n" + "c,站,暖心驿站,,24/7,调查,abc,39.95\n", encoding="utf-8")
    code, out, _err = imp(capsys, reg, str(f), "--crs", "wgs84")
    assert code == 1 and out.startswith(f"{f}:5: lon: 'abc' is not a number")


# ---- class 8: exports --------------------------------------------------------------------------


def test_formula_text_is_neutralised_and_reimported_exactly(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    evil = station("e", name='=HYPERLINK("http://x","点我")', note="@SUM(1+1)", address="-2+3", phone="+86 10 1234")
    reg = write_registry([evil])
    csv_file, xlsx_file = tmp_path / "out.csv", tmp_path / "out.xlsx"
    assert call(capsys, "--registry", str(reg), "export", str(csv_file))[0] == 0
    assert call(capsys, "--registry", str(reg), "export", str(xlsx_file))[0] == 0
    text = csv_file.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",'@SUM(1+1)," in text and ",'-2+3," in text
    ws = openpyxl.load_workbook(xlsx_file).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no live formula
    for f in (csv_file, xlsx_file):
        back = tmp_path / f"back-{f.suffix[1:]}.geojson"
        code, out, err = call(capsys, "--registry", str(back), "import", str(f), "--crs", "wgs84")
        assert code == 0, out + err
        assert load_registry(back).stations == [evil]


def test_control_characters_never_reach_an_export(capsys: Cap, tmp_path: Path, write_registry: Any) -> None:
    """The registry itself refuses them, so no format (spreadsheet or GeoJSON) is written."""
    reg = write_registry([station("c", note="铃\x07声")])
    for ext in ("csv", "xlsx", "geojson"):
        out = tmp_path / f"out.{ext}"
        code, text, err = call(capsys, "--registry", str(reg), "export", str(out))
        assert code == 1 and "c: note: contains a control character (U+0007 at position 2)" in text + err
        assert not out.exists()


def test_nested_extra_properties_survive_geojson_or_are_refused(
    capsys: Cap, tmp_path: Path, write_registry: Any
) -> None:
    reg = write_registry([station("n", extra={"tags": {"a": [1, 2]}, "since": "2020-01-01"})])
    one_line_error(*call(capsys, "--registry", str(reg), "export", str(tmp_path / "o.csv")), "'n'", "tags", "dict")
    out = tmp_path / "o.geojson"
    assert call(capsys, "--registry", str(reg), "export", str(out))[0] == 0
    back = tmp_path / "back.geojson"
    assert call(capsys, "--registry", str(back), "import", str(out), "--keep-columns", "tags,since")[0] == 0
    assert load_registry(back).stations == load_registry(reg).stations


def test_import_and_export_in_real_processes(tmp_path: Path, write_registry: Any) -> None:
    reg = write_registry([station("a", name="=1+1")])
    out = tmp_path / "o.xlsx"
    r = run("export", str(out), "--crs", "gcj02", registry=reg)
    assert r.returncode == 0, r.stderr
    back = tmp_path / "back.geojson"
    r = run("import", str(out), "--crs", "gcj02", registry=back)
    assert r.returncode == 0, r.stdout + r.stderr
    (b,) = load_registry(back).stations
    assert b.name == "=1+1" and abs(b.lon - 116.38) < 1e-6
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    r = run("import", str(bad), "--crs", "wgs84", registry=back)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_hidden_sheet_note_and_export_headers_state_the_crs(capsys: Cap, tmp_path: Path, reg: Path) -> None:
    f = tmp_path / "h.xlsx"
    wb = openpyxl.Workbook()
    for line in (HEADER + ROW_A).splitlines():
        wb.active.append(line.split(","))
    wb.active["G2"], wb.active["H2"] = 116.38, 39.95
    hidden = wb.create_sheet("2023旧表")
    hidden.append(["whatever"])
    hidden.sheet_state = "hidden"
    wb.save(f)
    code, _out, err = imp(capsys, reg, str(f), "--crs", "wgs84")
    assert code == 0, err
    assert f"{f}: skipped hidden sheet '2023旧表'" in err
    out_csv = tmp_path / "out.csv"
    assert call(capsys, "--registry", str(reg), "export", str(out_csv), "--crs", "gcj02")[0] == 0
    assert out_csv.read_text(encoding="utf-8-sig").splitlines()[0].endswith(",lon (gcj02),lat (gcj02)")
    before = {s.id: (s.lon, s.lat) for s in load_registry(reg).stations}
    assert imp(capsys, reg, str(out_csv), "--mode", "update")[0] == 0  # no --crs needed: the headers say gcj02
    after = {s.id: (s.lon, s.lat) for s in load_registry(reg).stations}
    assert all(abs(before[k][0] - after[k][0]) < 1e-6 and abs(before[k][1] - after[k][1]) < 1e-6 for k in before)
    one_line_error(*imp(capsys, reg, str(out_csv), "--crs", "wgs84"), "headers say gcj02 but --crs wgs84")

"""Hostile and everyday spreadsheets read by `locator.io.read_stations` (files built in tmp_path)."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from locator.errors import InvalidParameter, RegistryInvalid
from locator.io import read_stations
from locator.io import xlsx as xlsx_module

HEAD = ["id", "name", "type", "amenities", "opening_hours", "source", "lon", "lat"]


def row(sid: str, **kw: Any) -> list[Any]:
    base: dict[str, Any] = {"id": sid, "name": f"站{sid}", "type": "暖心驿站", "amenities": "饮水",
                            "opening_hours": "24/7", "source": "调查", "lon": 116.38, "lat": 39.95}  # fmt: skip
    base.update(kw)
    return [base[h] for h in HEAD]


def book(path: Path, rows: list[list[Any]]) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return wb


def refused(path: Path, *needles: str, crs: str | None = "wgs84") -> str:
    with pytest.raises(InvalidParameter) as info:
        read_stations(path, crs)
    text = str(info.value)
    assert "\n" not in text
    for needle in needles:
        assert needle in text, text
    return text


# ---- memory ----------------------------------------------------------------------------------


@pytest.mark.parametrize("far", ["CV300000", "XFD1048576"])
def test_formatted_empty_cell_far_away_costs_no_memory(tmp_path: Path, far: str) -> None:
    f = tmp_path / "far.xlsx"
    wb = book(f, [HEAD, row("a")])
    wb.active[far].font = openpyxl.styles.Font(bold=True)  # formatted, no value
    wb.save(f)
    tracemalloc.start()
    stations = read_stations(f, "wgs84")
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [s.id for s in stations] == ["a"]
    assert peak < 100 * 1024 * 1024, peak


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "bomb.xlsx"
    book(f, [HEAD, row("a")])
    with zipfile.ZipFile(f, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * 3_000_000)
    monkeypatch.setattr(xlsx_module, "MAX_UNPACKED", 2_000_000)
    refused(f, "unpacks to", "MB")


def test_cell_longer_than_excel_allows_is_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "long.xlsx"
    book(f, [HEAD, row("a", name="长" * 200)])  # openpyxl itself cuts text at Excel's 32,767
    monkeypatch.setattr(xlsx_module, "CELL_LIMIT", 100)
    refused(f, f"{f}:Sheet!B2:", "more than 100 characters")


def test_csv_cell_over_the_limit_names_the_row(tmp_path: Path) -> None:
    f = tmp_path / "long.csv"
    f.write_text(",".join(HEAD) + "\n" + "a," + "x" * 200_000 + ",暖心驿站,,24/7,s,116.38,39.95\n")
    refused(f, f"{f}:2:", "column 2 holds more than 32,767 characters")


# ---- encodings (decided per line) --------------------------------------------------------------


def test_gbk_that_is_also_valid_utf8_is_read_as_gbk(tmp_path: Path) -> None:
    # every non-ASCII byte run below is also valid two-byte UTF-8 (一亩园 → `һĶ԰`)
    text = ",".join(HEAD) + "\nc2,一亩园,warm_station,,24/7,s,116.30,39.99\nc3,医院,warm_station,,24/7,s,116.31,39.99\n"
    f = tmp_path / "gbk3.csv"
    f.write_bytes(text.encode("gbk"))
    assert [s.name for s in read_stations(f, "wgs84")] == ["一亩园", "医院"]
    f.write_bytes(text.replace("医院", "史家胡同驿站").encode("gbk"))  # one ambiguous row among plain GBK
    assert [s.name for s in read_stations(f, "wgs84")] == ["一亩园", "史家胡同驿站"]
    f.write_bytes(text.encode("utf-8"))
    assert [s.name for s in read_stations(f, "wgs84")] == ["一亩园", "医院"]


# ---- sheets, merged cells, Excel values --------------------------------------------------------


def test_hidden_sheets_are_skipped_with_a_note(tmp_path: Path) -> None:
    f = tmp_path / "h.xlsx"
    wb = book(f, [HEAD, row("a")])
    for title, state in (("2023旧表", "hidden"), ("选项", "veryHidden")):
        ws = wb.create_sheet(title)
        ws.append(["随便", "什么"])
        ws.sheet_state = state
    wb.save(f)
    notes: list[str] = []
    assert [s.id for s in read_stations(f, "wgs84", note=notes.append)] == ["a"]
    assert notes == [f"{f}: skipped hidden sheet '2023旧表'", f"{f}: skipped hidden sheet '选项'"]


def test_merged_district_fills_every_row(tmp_path: Path) -> None:
    f = tmp_path / "m.xlsx"
    wb = book(f, [[*HEAD, "区"], *([*row(s, lon=116.38 + i / 100), None] for i, s in enumerate("abc"))])
    wb.active["I2"] = "西城区"
    wb.active.merge_cells("I2:I4")
    wb.save(f)
    assert [s.district for s in read_stations(f, "wgs84")] == ["西城区"] * 3


def test_excel_error_cell_is_refused_naming_the_cell(tmp_path: Path) -> None:
    f = tmp_path / "e.xlsx"
    wb = book(f, [HEAD, row("a")])
    wb.active["B2"].value = "#REF!"
    wb.active["B2"].data_type = "e"
    wb.save(f)
    with pytest.raises(RegistryInvalid) as info:
        read_stations(f, "wgs84")
    assert any(p.place.endswith(":2") and p.field == "name" and "#REF!" in p.message for p in info.value.problems)


def test_numbers_in_id_and_phone_cells(tmp_path: Path) -> None:
    f = tmp_path / "n.xlsx"
    book(f, [[*HEAD, "电话"], [*row(1), 13800138000.0], [*row(2, lon=116.39), None]])
    assert [(s.id, s.phone) for s in read_stations(f, "wgs84")] == [("1", "13800138000"), ("2", None)]
    book(f, [[*HEAD, "电话"], [*row("a"), "1.38E+10"]])
    with pytest.raises(RegistryInvalid) as info:
        read_stations(f, "wgs84")
    assert any("Excel turned the number into 1.38E+10" in p.message for p in info.value.problems)


def test_dates_full_width_and_times(tmp_path: Path) -> None:
    f = tmp_path / "d.xlsx"
    rows: list[list[Any]] = [[*HEAD, "核实日期"]]
    for i, date in enumerate(["2024/5/1", "2024-5-1", "2024年5月1日"]):
        rows.append([*row(f"s{i}", lon="１１６．３８", lat=39.95 + i / 100, opening_hours="２４/７"), date])
    book(f, rows)
    stations = read_stations(f, "wgs84")
    assert {(s.verified_at, s.lon, s.opening_hours) for s in stations} == {(dt.date(2024, 5, 1), 116.38, "24/7")}
    book(f, [HEAD, row("t", opening_hours=dt.time(8, 0))])
    with pytest.raises(RegistryInvalid) as info:
        read_stations(f, "wgs84")
    assert any("'08:00'" in p.message and "08:00:00" not in p.message for p in info.value.problems)


# ---- headers ----------------------------------------------------------------------------------


def test_subtitle_rows_counter_column_and_marked_headers(tmp_path: Path) -> None:
    f = tmp_path / "t.xlsx"
    head = ["序号", "编号", "*名称", "类型：", "设施", "开放时间", "来源", "经度（WGS84）*", "纬度"]
    book(f, [["西城区暖心驿站统计表"], ["填报单位：西城区总工会", None, "填报日期：2024年5月1日"], head,
             [1, "a", "德胜驿站", "暖心驿站", "饮水", "24/7", "调查", 116.38, 39.95]])  # fmt: skip
    assert [(s.id, s.name) for s in read_stations(f, None)] == [("a", "德胜驿站")]


def test_huge_unknown_header_message_is_short_and_coordinates_hint(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text(",".join([*HEAD, *(f"c{i}" for i in range(10_000))]) + "\n")
    text = refused(f, "and 9990 more")
    assert len(text) < 2_000
    f.write_text(",".join([*HEAD[:6], "坐标"]) + "\n")
    refused(f, "split it into 经度 and 纬度")


def test_crs_stated_in_headers_is_used_and_a_conflict_refused(tmp_path: Path) -> None:
    f = tmp_path / "g.csv"
    f.write_text("id,name,type,source,经度(高德),纬度（GCJ-02）\na,站,暖心驿站,调查,116.4,39.9\n")
    (a,) = read_stations(f, None)
    assert abs(a.lon - 116.4) > 1e-3  # shifted from GCJ-02 to WGS-84
    assert read_stations(f, "gcj02")[0].lon == a.lon
    refused(f, "the lon/lat headers say gcj02 but --crs wgs84 was given")
    f.write_text("id,name,type,source,lon,lat\na,站,暖心驿站,调查,116.4,39.9\n")
    with pytest.raises(InvalidParameter, match="--crs"):
        read_stations(f, None)


# ---- file types -------------------------------------------------------------------------------


def test_file_type_is_sniffed(tmp_path: Path) -> None:
    x = tmp_path / "x.xlsx"
    book(x, [HEAD, row("a")])
    renamed = tmp_path / "x.csv"
    renamed.write_bytes(x.read_bytes())
    refused(renamed, "is an Excel workbook, not CSV: rename it to .xlsx")
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    refused(old, "an old .xls or an encrypted workbook")
    text = tmp_path / "t.xlsx"
    text.write_text(",".join(HEAD) + "\n")
    refused(text, "is not an Excel workbook (.xlsx): it is not a zip file")
    for ext, sep in ((".txt", "\t"), (".tsv", "\t"), (".txt", ",")):
        t = tmp_path / f"u{ext}"
        t.write_text(sep.join(HEAD) + "\n" + sep.join(str(c) for c in row("a")) + "\n", encoding="utf-16")
        assert [s.id for s in read_stations(t, "wgs84")] == ["a"]

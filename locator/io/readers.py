"""Spreadsheet cells as text rows: CSV decoding (one encoding per file, checked on every line)
and XLSX sheets (every sheet, the workbook's own row numbers, date cells as dates).

A `Table` keeps each row's number as the spreadsheet shows it, blank rows included, so that
messages point at the row staff see.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from locator.errors import InvalidParameter

#: How to fix an encoding problem, in the words of Excel's own menu.
SAVE_AS_UTF8: Final = "save it as UTF-8 (Excel: 另存为 → 'CSV UTF-8 (逗号分隔)')"


@dataclass
class Table:
    """One sheet: `rows` are (row number, cells) with every row, blank ones included."""

    label: str  # "" for a CSV or a one-sheet workbook, else the sheet name
    rows: list[tuple[int, list[Any]]]


def bad_file(path: Path, place: str, what: str) -> InvalidParameter:
    """The one-line error for a malformed file: `FILE: PATH:PLACE: what` (exit 2)."""
    return InvalidParameter("FILE", f"{path}{':' + place if place else ''}: {what}")


def decode_csv(path: Path, raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in.

    UTF-8 (with or without BOM) when every byte is UTF-8; UTF-16 only with a BOM (Excel's
    "Unicode text"); otherwise GB18030 (a superset of GBK, as Excel on Chinese Windows
    writes), but refused when some lines are valid multi-byte UTF-8 and others are not:
    such a file mixes two encodings and no single reading is right.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count("\n".encode("utf-16-le")) + 1
            raise bad_file(path, f"line {line}", f"is not valid UTF-16; {SAVE_AS_UTF8}") from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise bad_file(path, f"line {line}", f"holds NUL bytes (UTF-16 without a BOM?); {SAVE_AS_UTF8}")
    if raw.startswith(codecs.BOM_UTF8):
        raw, bom = raw[3:], True
    else:
        bom = False
    try:
        return raw.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    lines = raw.split(b"\n")
    first_utf8 = next((i + 1 for i, ln in enumerate(lines) if not ln.isascii() and _is_utf8(ln)), None)
    if bom or first_utf8 is not None:
        where = f"line {first_utf8}" if first_utf8 else "its BOM"
        raise bad_file(
            path,
            f"line {first_bad}",
            f"is not UTF-8 although {where} is: the file mixes encodings (UTF-8 and GBK?); {SAVE_AS_UTF8}",
        )
    try:
        return raw.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise bad_file(path, f"line {line}", f"is neither UTF-8 nor GBK/GB18030 text; {SAVE_AS_UTF8}") from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(text: str) -> str:
    """Tab for Excel's "Unicode text" (and any tab-separated file), else comma."""
    header = text.split("\n", 1)[0]
    return "\t" if header.count("\t") > header.count(",") else ","


def read_csv(path: Path) -> list[Table]:
    text, _encoding = decode_csv(path, path.read_bytes())
    if not text.strip():
        raise bad_file(path, "", "is empty (no header row)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, list(cells)))
    except csv.Error as exc:
        number = len(rows) + 1
        hint = " (a quote opened in this row is never closed)" if "unexpected end" in str(exc) else ""
        raise bad_file(path, str(number), f"not valid CSV: {exc}{hint}") from None
    return [Table("", rows)]


def _xlsx_value(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f":
        return Formula(str(value))
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, str) and cell.quotePrefix:
        return Quoted(value)
    return value


class Formula(str):
    """A formula cell's text: stations must hold values, not formulas."""


class Quoted(str):
    """Text of a cell with Excel's quote prefix: already exact, no `'` to strip."""


def read_xlsx(path: Path) -> list[Table]:
    import openpyxl  # heavy: only for workbooks

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise bad_file(path, "", f"is not an Excel workbook (.xlsx): {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # openpyxl raises many kinds on damaged parts of a workbook
        raise bad_file(path, "", f"cannot be read as a workbook: {type(exc).__name__}: {exc}") from None
    tables: list[Table] = []
    for ws in wb.worksheets:
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row), start=1):
            rows.append((number, [_xlsx_value(c) for c in cells]))
        if any(v not in (None, "") for _n, cells in rows for v in cells):
            tables.append(Table(ws.title, rows))
    if len(tables) == 1:
        tables[0].label = ""
    wb.close()
    return tables

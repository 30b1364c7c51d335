"""Spreadsheet cells as text rows: CSV decoding (see `locator.io.encoding`) and parsing; the
cell types an XLSX sheet can hand over (`locator.io.xlsx` reads workbooks).

A `Table` keeps each row's number as the spreadsheet shows it, so that messages point at the
row staff see.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from locator.io.encoding import decode_csv
from locator.io.fileerrors import CELL_LIMIT, SAVE_AS_UTF8, bad_file, sniff

__all__ = ["SAVE_AS_UTF8", "ErrorCell", "Formula", "Quoted", "Table", "bad_file", "decode_csv", "read_csv"]


@dataclass
class Table:
    """One sheet: `rows` are (row number, cells); blank rows may be left out."""

    label: str  # "" for a CSV or a one-sheet workbook, else the sheet name
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)


class Formula(str):
    """A formula cell's text: stations must hold values, not formulas."""


class Quoted(str):
    """Text of a cell with Excel's quote prefix: already exact, no `'` to strip."""


class ErrorCell(str):
    """An Excel error value (`#REF!`, `#N/A` …) shown in a cell."""


def _delimiter(text: str) -> str:
    """Tab for Excel's "Unicode text" (and any tab-separated file), else comma."""
    header = text.split("\n", 1)[0]
    return "\t" if header.count("\t") > header.count(",") else ","


def read_csv(path: Path) -> list[Table]:
    raw = path.read_bytes()
    sniff(path, raw[:8], "CSV")
    text, _encoding = decode_csv(path, raw)
    if not text.strip():
        raise bad_file(path, "", "is empty (no header row)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[Any]]] = []
    # the whole file is in memory already: let the parser take any cell, then name the long one
    old_limit = csv.field_size_limit(len(text) + 1)
    try:
        for number, cells in enumerate(reader, start=1):
            long = next((i for i, c in enumerate(cells) if len(c) > CELL_LIMIT), None)
            if long is not None:
                raise bad_file(
                    path,
                    str(number),
                    f"column {long + 1} holds more than {CELL_LIMIT:,} characters (Excel's limit; an unclosed quote?)",
                )
            rows.append((number, list(cells)))
    except csv.Error as exc:
        number = len(rows) + 1
        hint = " (a quote opened in this row is never closed)" if "unexpected end" in str(exc) else ""
        raise bad_file(path, str(number), f"not valid CSV: {exc}{hint}") from None
    finally:
        csv.field_size_limit(old_limit)
    return [Table("", rows)]

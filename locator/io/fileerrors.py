"""The one-line error for a malformed input file, and how to fix encodings in Excel's words."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from locator.errors import InvalidParameter

#: How to fix an encoding problem, in the words of Excel's own menu.
SAVE_AS_UTF8: Final = "save it as UTF-8 (Excel: 另存为 → 'CSV UTF-8 (逗号分隔)')"
#: Excel's own limit on a cell's text; longer cells are refused, naming the cell.
CELL_LIMIT: Final = 32_767


def bad_file(path: Path, place: str, what: str) -> InvalidParameter:
    """The one-line error for a malformed file: `FILE: PATH:PLACE: what` (exit 2)."""
    return InvalidParameter("FILE", f"{path}{':' + place if place else ''}: {what}")


def sniff(path: Path, head: bytes, expected: str) -> None:
    """Refuse a file whose first bytes say it is something else than its extension claims."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise bad_file(
            path, "", "is an old .xls or an encrypted workbook: save it as .xlsx (Excel: 另存为 → Excel 工作簿)"
        )
    if expected == "CSV" and head.startswith(b"PK\x03\x04"):
        raise bad_file(path, "", "is an Excel workbook, not CSV: rename it to .xlsx")
    if expected == "XLSX" and not head.startswith(b"PK\x03\x04"):
        raise bad_file(path, "", "is not an Excel workbook (.xlsx): it is not a zip file (a CSV renamed .xlsx?)")

"""XLSX workbooks → `Table`s: visible sheets only, the sheet's own row numbers, merged cells
filled as the sheet shows them, and limits that keep a small hostile file from using gigabytes.

Only cells that hold a value define a sheet's extent: a formatted empty cell far away (Excel
keeps the formatting of `XFD1048576`) must not make us build a billion empty cells.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any, Final

from locator.io.fileerrors import CELL_LIMIT, bad_file, sniff
from locator.io.readers import ErrorCell, Formula, Quoted, Table

#: A workbook whose parts unpack to more than this is refused before it is parsed (zip bomb).
MAX_UNPACKED: Final = 200 * 1024 * 1024
#: Cells a merged range may fill; a range over a whole sheet is not a station table.
MAX_MERGED_FILL: Final = 1_000_000


def _check_zip(path: Path) -> None:
    with path.open("rb") as fh:
        sniff(path, fh.read(8), "XLSX")
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise bad_file(path, "", f"is not an Excel workbook (.xlsx): {exc}") from None
    if total > MAX_UNPACKED:
        raise bad_file(
            path,
            "",
            f"unpacks to {total / 1024**2:,.0f} MB (more than {MAX_UNPACKED // 1024**2} MB): "
            "not a station table; save only the stations sheet as a new workbook",
        )


def _value(path: Path, label: str, cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f":
        return Formula(str(value))
    if cell.data_type == "e":
        return ErrorCell(str(value))
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, str):
        if len(value) > CELL_LIMIT:
            raise bad_file(path, f"{label}{cell.coordinate}", f"holds more than {CELL_LIMIT:,} characters")
        if cell.quotePrefix:
            return Quoted(value)
    return value


def _sheet(path: Path, ws: Any, label: str) -> dict[int, dict[int, Any]]:
    """Row → column → value for the cells that hold a value, merged ranges filled."""
    # openpyxl (normal mode) keeps a sheet's cells in the sparse dict `_cells`; iterating
    # `iter_rows` instead would create every cell of the max_row × max_column box.
    cells: dict[int, dict[int, Any]] = {}
    for (r, c), cell in ws._cells.items():
        if cell.value is not None:
            cells.setdefault(r, {})[c] = _value(path, label, cell)
    if not cells:
        return cells
    last_row = max(cells)
    last_col = max(max(row) for row in cells.values())
    filled = 0
    for rng in ws.merged_cells.ranges:
        value = cells.get(rng.min_row, {}).get(rng.min_col)
        if value is None:
            continue
        rows = range(rng.min_row, min(rng.max_row, last_row) + 1)
        cols = range(rng.min_col, min(rng.max_col, last_col) + 1)
        filled += len(rows) * len(cols)
        if filled > MAX_MERGED_FILL:
            raise bad_file(path, f"{label}{rng.coord}", "merged cells cover too much of the sheet: unmerge them")
        for r in rows:
            for c in cols:
                cells.setdefault(r, {})[c] = value
    return cells


def read_xlsx(path: Path) -> list[Table]:
    """Every visible sheet that holds a value; hidden sheets are skipped with a note."""
    _check_zip(path)
    import openpyxl  # heavy: only for workbooks

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise bad_file(path, "", f"is not an Excel workbook (.xlsx): {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # openpyxl raises many kinds on damaged parts of a workbook
        raise bad_file(path, "", f"cannot be read as a workbook: {type(exc).__name__}: {exc}") from None
    tables: list[Table] = []
    notes: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":  # staff hide old tables and drop-down option lists
            notes.append(f"{path}: skipped hidden sheet {ws.title!r}")
            continue
        cells = _sheet(path, ws, f"{ws.title}!")
        if not cells:
            continue
        rows = [(r, [cells[r].get(c) for c in range(1, max(cells[r]) + 1)]) for r in sorted(cells)]
        tables.append(Table(ws.title, rows))
    wb.close()
    if len(tables) == 1:
        tables[0].label = ""
    if tables:
        tables[0].notes = notes
    elif notes:
        tables.append(Table("", [], notes))
    return tables

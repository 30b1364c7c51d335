"""Spreadsheet rows → GeoJSON features, with every problem of each row and its own row number."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from locator import vocab
from locator.coords import to_wgs84
from locator.errors import Problem
from locator.io.cells import cell_text, normalise_phone, split_list
from locator.io.headers import Columns, looks_like_header, map_headers
from locator.io.readers import Formula, Table, bad_file

Row = tuple[str, dict[str, Any] | None, list[Problem]]


def _filled(cells: list[Any]) -> int:
    return sum(1 for c in cells if c is not None and str(c).strip())


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))


def table_rows(path: Path, table: Table, crs: str, keep: set[str], several: bool) -> list[Row]:
    """Features of one sheet. Rows above the header with at most one filled cell (a title)
    and blank rows are skipped; the numbers stay the sheet's own."""
    where = f"{table.label}!" if table.label else ""
    body = iter(table.rows)
    header: tuple[int, list[Any]] | None = None
    for number, cells in body:
        if _filled(cells) >= 2:
            header = (number, cells)
            break
    if several and (header is None or not looks_like_header(header[1])):
        raise bad_file(
            path,
            f"{where}{header[0] if header else 1}",
            f"sheet {table.label!r} has no row of station headers (id/编号, name/名称 …); every sheet is "
            "read as stations: move this sheet to another file",
        )
    if header is None:
        raise bad_file(path, f"{where}1", "has no header row (one column per property: id, name, type …)")
    number, cells = header
    columns, why = map_headers(cells, keep)
    if columns is None:
        raise bad_file(path, f"{where}{number}", why or "not a header row")
    out: list[Row] = []
    for number, cells in body:
        if not _filled(cells):
            continue
        place = f"{path}:{where}{number}"
        extra = [i for i, c in enumerate(cells) if i not in columns.fields and cell_text(c) is not None]
        if extra:
            col = _column_letter(extra[0])
            raise bad_file(
                path,
                f"{where}{number}",
                f"cell {col}{number} has a value but its column has no header "
                f"(row has {len(cells)} cells; a comma inside a cell needs quotes)",
            )
        out.append(row_feature(place, cells, columns, crs))
    return out


def _number(place: str, key: str, value: Any, problems: list[Problem]) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = cell_text(value)
        if text is None:
            problems.append(Problem(place, key, "required number is missing"))
            return None
        try:
            number = float(text)
        except ValueError:
            problems.append(Problem(place, key, f"{text!r} is not a number"))
            return None
    if not math.isfinite(number):
        problems.append(Problem(place, key, f"{value!r} is not a finite number"))
        return None
    return number


def row_feature(place: str, cells: list[Any], columns: Columns, crs: str) -> Row:
    problems: list[Problem] = []
    props: dict[str, Any] = {"amenities": [], "opening_hours": None}
    coords: dict[str, float | None] = {}
    for i, field in columns.fields.items():
        value = cells[i] if i < len(cells) else None
        if isinstance(value, Formula):
            problems.append(Problem(place, field, f"holds a formula ({value}); paste values only (选择性粘贴 → 数值)"))
            continue
        if field in ("lon", "lat"):
            coords[field] = _number(place, field, value, problems)
            continue
        text = cell_text(value)
        if field == "amenities":
            props[field] = split_list(text)
        elif field == "type":
            if text is not None:
                props[field] = vocab.type_id(text) or text
        elif field == "status":
            if text is not None:
                props[field] = vocab.status_id(text) or text
        elif field == "phone" and text is not None:
            props[field] = normalise_phone(text)
        elif text is not None or field == "opening_hours":
            props[field] = text
    lon, lat = coords.get("lon"), coords.get("lat")
    if lon is None or lat is None:
        point: list[float] | None = None
    else:
        w_lon, w_lat = to_wgs84(lon, lat, crs)
        point = [round(float(w_lon), 7), round(float(w_lat), 7)]
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}, "properties": props}
    return place, feature, problems

"""Spreadsheet rows → GeoJSON features, with every problem of each row and its own row number."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from locator import vocab
from locator.coords import to_wgs84
from locator.errors import InvalidParameter, Problem
from locator.io.cells import field_text, normalise_phone, split_list
from locator.io.headers import Columns, known_count, looks_like_header, map_headers
from locator.io.readers import Formula, Table, bad_file

#: The header is looked for among this many rows at the top of a sheet (titles above it).
HEADER_WITHIN = 20
CRS_CHOICES = "wgs84, gcj02 or bd09; points picked on Amap are gcj02"

Row = tuple[str, dict[str, Any] | None, list[Problem]]


def _filled(cells: list[Any]) -> int:
    return sum(1 for c in cells if c is not None and str(c).strip())


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))


def _find_header(rows: list[tuple[int, list[Any]]]) -> int | None:
    """Index of the header: the first of the top rows with at least 3 known headers (rows
    above it are titles); else the first row with two filled cells, to explain what is wrong."""
    top = rows[:HEADER_WITHIN]
    best = next((i for i, (_n, cells) in enumerate(top) if known_count(cells) >= 3), None)
    if best is None:
        best = next((i for i, (_n, cells) in enumerate(top) if _filled(cells) >= 2), None)
    return best


def _crs(path: Path, where: str, number: int, given: str | None, columns: Columns) -> str:
    if columns.crs is not None and given is not None and given != columns.crs:
        raise bad_file(
            path,
            f"{where}{number}",
            f"the lon/lat headers say {columns.crs} but --crs {given} was given: drop --crs or fix the headers",
        )
    crs = given or columns.crs
    if crs is None:
        raise InvalidParameter("--crs", f"{path} is a spreadsheet: name the system of its lon/lat ({CRS_CHOICES})")
    return crs


def table_rows(path: Path, table: Table, given_crs: str | None, keep: set[str], several: bool) -> list[Row]:
    """Features of one sheet. Rows above the header (titles) and blank rows are skipped; the
    numbers stay the sheet's own. `given_crs` (--crs) may be left out when the headers state it."""
    where = f"{table.label}!" if table.label else ""
    index = _find_header(table.rows)
    header = None if index is None else table.rows[index]
    body = iter(table.rows[(index or 0) + 1 :])
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
    crs = _crs(path, where, number, given_crs, columns)
    out: list[Row] = []
    for number, cells in body:
        if not _filled(cells):
            continue
        place = f"{path}:{where}{number}"
        extra = [
            i
            for i, c in enumerate(cells)
            if i not in columns.fields and i not in columns.ignored and _text(c) is not None
        ]
        if extra:
            col = _column_letter(extra[0])
            raise bad_file(
                path,
                f"{where}{number}",
                f"cell {col}{number} has a value but its column has no header "
                f"(row has {len(cells)} cells; a comma inside a cell needs quotes)",
            )
        out.append(row_feature(place, cells, columns))
    _to_wgs84(out, crs)
    return out


def _to_wgs84(rows: list[Row], crs: str) -> None:
    """Every row's point from `crs` to WGS-84 at once (numpy), rounded to 7 decimals (~1 cm)."""
    points = [p for _place, f, _problems in rows if f is not None and (p := f["geometry"]["coordinates"]) is not None]
    if not points:
        return
    w_lon, w_lat = to_wgs84([p[0] for p in points], [p[1] for p in points], crs)
    for p, x, y in zip(points, w_lon.tolist(), w_lat.tolist(), strict=True):
        p[0], p[1] = round(x, 7), round(y, 7)


def _text(value: Any, field: str = "") -> str | None:
    try:
        return field_text(field, value)
    except ValueError:
        return str(value)


def _number(place: str, key: str, value: Any, problems: list[Problem]) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value, key)
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


def row_feature(place: str, cells: list[Any], columns: Columns) -> Row:
    """A row's feature; its point is still in the sheet's system (`_to_wgs84` converts them all)."""
    problems: list[Problem] = []
    props: dict[str, Any] = {"amenities": [], "opening_hours": None}
    coords: dict[str, float | None] = {}
    for i, field in columns.fields.items():
        value = cells[i] if i < len(cells) else None
        if (value is None or value == "") and field not in ("lon", "lat"):
            if field == "opening_hours":
                props[field] = None
            continue  # an empty cell (most of a wide sheet): nothing to read
        if isinstance(value, Formula):
            problems.append(Problem(place, field, f"holds a formula ({value}); paste values only (选择性粘贴 → 数值)"))
            continue
        try:
            text = field_text(field, value)
        except ValueError as exc:
            problems.append(Problem(place, field, str(exc)))
            continue
        if field in ("lon", "lat"):
            coords[field] = _number(place, field, value, problems)
            continue
        if field == "amenities":
            props[field] = split_list(text)
        elif field == "type":
            if text is not None:
                props[field] = vocab.type_id(text) or text
        elif field == "status":
            if text is not None:
                props[field] = vocab.status_id(text) or text
        elif field == "access":
            if text is not None:
                props[field] = vocab.access_id(text) or text
        elif field == "phone" and text is not None:
            props[field] = normalise_phone(text)
        elif text is not None or field == "opening_hours":
            props[field] = text
    lon, lat = coords.get("lon"), coords.get("lat")
    point = None if lon is None or lat is None else [lon, lat]
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}, "properties": props}
    return place, feature, problems

"""Registry → CSV / XLSX / GeoJSON / GeoPackage, written atomically (temporary file, rename).

Spreadsheets get text that no spreadsheet runs as a formula: a CSV cell starting with
= + - @ tab or CR gets a leading `'` (the import strips it again); an XLSX cell is a typed
text cell with Excel's own "quote prefix", so the text stays exact. What a spreadsheet (or a
GeoPackage column) cannot hold is refused with the station and the field named, never
altered: control characters, and extra properties that are not text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from locator.atomic import atomic_write, replacing
from locator.coords import from_wgs84
from locator.errors import InvalidParameter
from locator.io.cells import SPREADSHEET_ILLEGAL, neutralise
from locator.io.headers import field_for
from locator.model import PROPERTY_ORDER, Station
from locator.registry import dump_geojson


def _refuse(station: Station, field: str, what: str, fmt: str) -> InvalidParameter:
    return InvalidParameter("FILE", f"station {station.id!r}: {field}: {what}; {fmt} cannot hold it (use .geojson)")


def _columns(stations: list[Station], fmt: str) -> list[str]:
    extras = sorted({k for s in stations for k in s.extra})
    for name in extras:
        if field_for(name) is not None:
            who = next(s for s in stations if name in s.extra)
            raise _refuse(who, name, f"extra property named like the column {field_for(name)!r}", fmt)
    return [*PROPERTY_ORDER, *extras]


def _records(stations: list[Station], crs: str, fmt: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of text (None when absent), lon/lat last as numbers."""
    columns = _columns(stations, fmt)
    lon, lat = from_wgs84([s.lon for s in stations], [s.lat for s in stations], crs)
    rows: list[list[Any]] = []
    for i, s in enumerate(stations):
        props = s.properties()
        props["amenities"] = ";".join(s.amenities)
        row: list[Any] = []
        for c in columns:
            value = props.get(c)
            if value is not None and not isinstance(value, str):
                raise _refuse(s, c, f"is a {type(value).__name__}, not text", fmt)
            if value is not None and fmt != "GeoPackage" and SPREADSHEET_ILLEGAL.search(value):
                bad = SPREADSHEET_ILLEGAL.search(value).group()  # type: ignore[union-attr]
                raise _refuse(s, c, f"holds the control character {bad!r}", fmt)
            if value is not None and fmt == "GeoPackage" and "\x00" in value:
                raise _refuse(s, c, "holds a NUL character", fmt)
            row.append(value)
        row.extend([round(float(lon[i]), 7), round(float(lat[i]), 7)])
        rows.append(row)
    # CSV/XLSX headers state the system (`lon (gcj02)`): a re-import can never shift silently
    coords = ["lon", "lat"] if fmt == "GeoPackage" else [f"lon ({crs})", f"lat ({crs})"]
    return [*columns, *coords], rows


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else repr(v)) for v in row])
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel on Windows then shows Chinese


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "stations"
    ws.append(header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.quotePrefix = bool(neutralise(value) != value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_gpkg(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    import geopandas as gpd
    import pandas as pd

    df = pd.DataFrame(rows, columns=header, dtype=object)
    geometry = gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float))
    gdf = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=geometry, crs=4326)
    with replacing(path) as tmp:  # a fresh file of the same name: pyogrio goes by the suffix
        gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer="stations")


def write_stations(path: Path, stations: list[Station], crs: str, fmt: str) -> None:
    """Export by format; CSV/XLSX follow `crs`, GeoJSON and GeoPackage are always WGS-84."""
    if fmt == "GeoJSON":
        atomic_write(path, dump_geojson(stations))
        return
    header, rows = _records(stations, crs if fmt in ("CSV", "XLSX") else "wgs84", fmt)
    if fmt == "CSV":
        atomic_write(path, _csv_bytes(header, rows))
    elif fmt == "XLSX":
        atomic_write(path, _xlsx_bytes(header, rows))
    else:
        _write_gpkg(path, header, rows)

"""Registry → CSV / XLSX / GeoJSON / GeoPackage, written atomically (temporary file, rename).

Spreadsheets get text that no spreadsheet runs as a formula: a CSV cell starting with
= + - @ tab or CR gets a leading `'` (the import strips it again); an XLSX cell is a typed
text cell with Excel's own "quote prefix", so the text stays exact. What a spreadsheet (or a
GeoPackage column) cannot hold is refused with the station and the field named, never
altered: control characters, text longer than an XLSX cell holds, extra properties that are
not text, and extra property names a format cannot hold as a column name (see `_check_name`).
GeoJSON and GeoPackage are WGS-84 only: another `crs` for them is refused, not ignored.
"""

from __future__ import annotations

import csv
import errno
import io
import os
from pathlib import Path
from typing import Any, Final

from locator.atomic import atomic_write, replacing
from locator.coords import from_wgs84
from locator.errors import InvalidParameter
from locator.io.cells import SPREADSHEET_ILLEGAL, neutralise
from locator.io.headers import field_for
from locator.model import PROPERTY_ORDER, Station
from locator.registry import dump_geojson

#: Excel's limit on the characters of one cell (openpyxl writes more, Excel cuts it).
XLSX_CELL_MAX: Final = 32_767
#: Column names a GeoPackage layer reserves (its primary key and geometry column).
_GPKG_RESERVED: Final = frozenset({"fid", "geometry", "geom"})


def _refuse(station: Station, field: str, what: str, fmt: str) -> InvalidParameter:
    return InvalidParameter("FILE", f"station {station.id!r}: {field}: {what}; {fmt} cannot hold it (use .geojson)")


def _name_problem(name: str, fmt: str, folded: dict[str, str]) -> str | None:
    """Why `name` cannot be a column of `fmt` (and be imported back under the same name)."""
    if not name.strip():
        return "an extra property with an empty name"
    if name != name.strip():
        return "an extra property name with spaces at its start or end (the import trims them)"
    if field_for(name) is not None:
        return f"an extra property named like the column {field_for(name)!r}"
    if name.lower() in ("lon", "lat"):
        return "an extra property named like a coordinate column"
    if fmt == "GeoPackage":
        if "\x00" in name:
            return "an extra property name with a NUL character"
        if name.lower() in _GPKG_RESERVED:
            return f"an extra property named {name!r}, a column name a GeoPackage reserves"
        twin = folded.get(name.casefold())
        if twin is not None and twin != name:
            return f"extra properties {twin!r} and {name!r} differ only in case (GeoPackage columns ignore case)"
        folded[name.casefold()] = name
    else:
        bad = SPREADSHEET_ILLEGAL.search(name)
        if bad:
            return f"an extra property name with the control character {bad.group()!r}"
        if fmt == "XLSX" and len(name) > XLSX_CELL_MAX:
            return f"an extra property name longer than {XLSX_CELL_MAX:,} characters (an Excel cell's limit)"
    return None


def _columns(stations: list[Station], fmt: str) -> list[str]:
    extras = sorted({k for s in stations for k in s.extra})
    folded: dict[str, str] = {}
    for name in extras:
        problem = _name_problem(name, fmt, folded)
        if problem is not None:
            who = next(s for s in stations if name in s.extra)
            raise InvalidParameter(
                "FILE",
                f"station {who.id!r}: {name!r}: {problem}; {fmt} cannot hold it: rename the property in the "
                "registry, or export to .geojson",
            )
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
            if value is not None and fmt == "XLSX" and len(value) > XLSX_CELL_MAX:
                raise _refuse(
                    s, c, f"has {len(value):,} characters, more than an Excel cell holds ({XLSX_CELL_MAX:,})", fmt
                )
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
    writer.writerow([neutralise(h) for h in header])  # a header cell is a cell too
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else repr(v)) for v in row])
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel on Windows then shows Chinese


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "stations"
    for r, row in enumerate([header, *rows], start=1):
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


def _write_gpkg(path: Path, header: list[str], rows: list[list[Any]], *, strict: bool) -> None:
    import geopandas as gpd
    import pandas as pd
    import pyogrio.errors

    df = pd.DataFrame(rows, columns=header, dtype=object)
    geometry = gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float))
    gdf = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=geometry, crs=4326)
    with replacing(path, strict=strict) as tmp:  # a fresh file of the same name: pyogrio goes by the suffix
        try:
            gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer="stations")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise _gdal_error(exc) from exc


def _gdal_error(exc: Exception) -> OSError:
    """A GDAL write failure as an OSError (the caller names the file): GDAL reports a full disk
    only in its message text."""
    text = " ".join(str(exc).split())
    if "no space left" in text.lower() or "disk full" in text.lower():
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return OSError(errno.EIO, f"could not write it ({text[:200]}); disk full?")


def write_stations(path: Path, stations: list[Station], crs: str, fmt: str) -> None:
    """Export by format; CSV/XLSX follow `crs`, GeoJSON and GeoPackage are always WGS-84.

    An export is stricter than a registry write (see `locator.atomic.replacing`): it refuses
    a target without any write permission bit and a folder that does not exist."""
    if fmt in ("GeoJSON", "GeoPackage") and crs != "wgs84":
        raise InvalidParameter(
            "--crs",
            f"{crs}: {fmt} files are WGS-84 (GCJ-02 and BD-09 have no EPSG code a GIS could read); "
            "drop --crs, or export to .csv / .xlsx to get these coordinates",
        )
    if fmt == "GeoJSON":
        atomic_write(path, dump_geojson(stations), strict=True)
        return
    header, rows = _records(stations, crs, fmt)
    if fmt == "CSV":
        atomic_write(path, _csv_bytes(header, rows), strict=True)
    elif fmt == "XLSX":
        atomic_write(path, _xlsx_bytes(header, rows), strict=True)
    else:
        _write_gpkg(path, header, rows, strict=True)

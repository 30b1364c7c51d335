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
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Final

import orjson

from locator.atomic import replacing
from locator.coords import from_wgs84
from locator.errors import InvalidParameter
from locator.io.cells import SPREADSHEET_ILLEGAL, neutralise
from locator.io.headers import field_for
from locator.model import PROPERTY_ORDER, Station

#: Excel's limit on the characters of one cell (openpyxl writes more, Excel cuts it).
XLSX_CELL_MAX: Final = 32_767
#: Column names a GeoPackage layer reserves (its primary key and geometry column).
_GPKG_RESERVED: Final = frozenset({"fid", "geometry", "geom"})
#: Stations converted and written at a time: memory stays flat whatever the registry's size.
CHUNK: Final = 20_000
#: Streams the stations to export; called once per pass over them.
Source = Callable[[], Iterable[Station]]
#: A registry Feature as a dict (`Station.feature()`, or a store's stored JSON parsed).
Feature = dict[str, Any]
#: Streams the features to export; called once per pass over them.
Features = Callable[[], Iterable[Feature]]
_KNOWN: Final = frozenset(PROPERTY_ORDER)
_AMENITIES: Final = PROPERTY_ORDER.index("amenities")
_FORMULA_FIRST: Final = frozenset("'=+-@\t\r")


def _refuse(sid: str, field: str, what: str, fmt: str) -> InvalidParameter:
    return InvalidParameter("FILE", f"station {sid!r}: {field}: {what}; {fmt} cannot hold it (use .geojson)")


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


def _columns(source: Features, fmt: str) -> tuple[list[str], int]:
    """The header's property columns: the registry's, then every extra property name found
    (a first pass over the features: the header comes before any row); and their number."""
    first: dict[str, str] = {}  # extra property name → the first station that has it
    n = 0
    for f in source():
        n += 1
        props = f["properties"]
        if len(props.keys() - _KNOWN):
            for k in props.keys() - _KNOWN:
                if k not in first:
                    first[k] = props["id"]
    folded: dict[str, str] = {}
    for name in sorted(first):
        problem = _name_problem(name, fmt, folded)
        if problem is not None:
            raise InvalidParameter(
                "FILE",
                f"station {first[name]!r}: {name!r}: {problem}; {fmt} cannot hold it: rename the property in the "
                "registry, or export to .geojson",
            )
    return [*PROPERTY_ORDER, *sorted(first)], n


def _chunks(features: Iterable[Feature], size: int = CHUNK) -> Iterator[list[Feature]]:
    it = iter(features)
    while chunk := list(islice(it, size)):
        yield chunk


def _rows(features: list[Feature], columns: list[str], crs: str, fmt: str) -> list[list[Any]]:
    """Rows of text (None when absent), lon/lat last as numbers; the coordinates of the whole
    chunk are converted at once (numpy), not row by row."""
    points = [f["geometry"]["coordinates"] for f in features]
    lon, lat = from_wgs84([p[0] for p in points], [p[1] for p in points], crs)
    lon_r, lat_r = [round(x, 7) for x in lon.tolist()], [round(y, 7) for y in lat.tolist()]
    rows: list[list[Any]] = []
    for i, f in enumerate(features):
        props = f["properties"]
        row = [props.get(c) for c in columns]
        row[_AMENITIES] = ";".join(row[_AMENITIES])
        texts = [v for v in row if v is not None]
        if not all(v.__class__ is str for v in texts) or _suspect("".join(texts)):  # one test a row
            for c, value in zip(columns, row, strict=True):
                if value is not None and (value.__class__ is not str or _suspect(value)):
                    _check_value(props["id"], c, value, fmt)
        row.extend([lon_r[i], lat_r[i]])
        rows.append(row)
    return rows


def _suspect(value: str) -> bool:
    """Text some format may not hold (cheap test; `_check_value` says which and why)."""
    return len(value) > XLSX_CELL_MAX or SPREADSHEET_ILLEGAL.search(value) is not None


def _check_value(sid: str, c: str, value: Any, fmt: str) -> None:
    if not isinstance(value, str):
        raise _refuse(sid, c, f"is a {type(value).__name__}, not text", fmt)
    if fmt != "GeoPackage":
        bad = SPREADSHEET_ILLEGAL.search(value)
        if bad:
            raise _refuse(sid, c, f"holds the control character {bad.group()!r}", fmt)
    if fmt == "XLSX" and len(value) > XLSX_CELL_MAX:
        raise _refuse(sid, c, f"has {len(value):,} characters, more than an Excel cell holds ({XLSX_CELL_MAX:,})", fmt)
    if fmt == "GeoPackage" and "\x00" in value:
        raise _refuse(sid, c, "holds a NUL character", fmt)


def _header(columns: list[str], crs: str, fmt: str) -> list[str]:
    # CSV/XLSX headers state the system (`lon (gcj02)`): a re-import can never shift silently
    coords = ["lon", "lat"] if fmt == "GeoPackage" else [f"lon ({crs})", f"lat ({crs})"]
    return [*columns, *coords]


def _write_csv(tmp: Path, source: Features, columns: list[str], crs: str) -> None:
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel on Windows then shows Chinese
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in _header(columns, crs, "CSV")])  # a header cell is a cell too
        for chunk in _chunks(source()):
            writer.writerows([_csv_cell(v) for v in row] for row in _rows(chunk, columns, crs, "CSV"))


def _csv_cell(v: Any) -> str:
    if v.__class__ is str:
        return neutralise(v) if v and v[0] in _FORMULA_FIRST else v
    return "" if v is None else repr(v)


def _write_xlsx(tmp: Path, source: Features, columns: list[str], crs: str) -> None:
    """openpyxl's write-only mode: rows go to the file as they come, never all in memory."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("stations")

    def cell(value: Any) -> Any:
        if not isinstance(value, str) or not (value.startswith("=") or neutralise(value) != value):
            return value
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"  # never a formula, whatever the text starts with
        c.quotePrefix = neutralise(value) != value
        return c

    try:
        ws.append([cell(h) for h in _header(columns, crs, "XLSX")])
        for chunk in _chunks(source()):
            for row in _rows(chunk, columns, crs, "XLSX"):
                ws.append([cell(v) for v in row])
    except BaseException:
        ws.close()  # end the sheet's writer: the temporary file is removed anyway
        raise
    wb.save(tmp)


def _write_gpkg(tmp: Path, source: Features, columns: list[str]) -> None:
    """One layer written chunk by chunk (the first chunk creates it, the others append)."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio.errors

    header = _header(columns, "wgs84", "GeoPackage")
    written = False

    def write(chunk: list[Feature]) -> None:
        df = pd.DataFrame(_rows(chunk, columns, "wgs84", "GeoPackage"), columns=header, dtype=object)
        geometry = gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float))
        gdf = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=geometry, crs=4326)
        try:
            gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer="stations", mode="a" if written else "w")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise _gdal_error(exc) from exc

    for chunk in _chunks(source()):
        write(chunk)
        written = True
    if not written:
        write([])  # an empty registry: a layer with the columns and no row


def _gdal_error(exc: Exception) -> OSError:
    """A GDAL write failure as an OSError (the caller names the file): GDAL reports a full disk
    only in its message text."""
    text = " ".join(str(exc).split())
    if "no space left" in text.lower() or "disk full" in text.lower():
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return OSError(errno.EIO, f"could not write it ({text[:200]}); disk full?")


def write_geojson(path: Path, features: Iterable[bytes]) -> int:
    """A registry GeoJSON from Feature JSON, one feature per line (as `dump_geojson` writes it),
    streamed to the file; the number of features written."""
    n = 0
    with replacing(path, strict=True) as tmp, tmp.open("wb") as fh:
        fh.write(b'{"type":"FeatureCollection","features":[\n')
        for feature in features:
            if n:
                fh.write(b",\n")
            fh.write(feature)
            n += 1
        fh.write(b"\n]}\n")
    return n


def check_crs(crs: str, fmt: str) -> None:
    if fmt in ("GeoJSON", "GeoPackage") and crs != "wgs84":
        raise InvalidParameter(
            "--crs",
            f"{crs}: {fmt} files are WGS-84 (GCJ-02 and BD-09 have no EPSG code a GIS could read); "
            "drop --crs, or export to .csv / .xlsx to get these coordinates",
        )


def write_stations(path: Path, source: Source, crs: str, fmt: str) -> int:
    """Export by format; CSV/XLSX follow `crs`, GeoJSON and GeoPackage are always WGS-84.
    `source()` streams the stations (called once per pass: twice for a spreadsheet or a
    GeoPackage, whose header names every extra property before the first row). Returns the
    number of stations written.

    An export is stricter than a registry write (see `locator.atomic.replacing`): it refuses
    a target without any write permission bit and a folder that does not exist."""
    check_crs(crs, fmt)
    if fmt == "GeoJSON":
        return write_geojson(path, (orjson.dumps(s.feature()) for s in source()))
    return write_features(path, lambda: (s.feature() for s in source()), crs, fmt)


def write_features(path: Path, source: Features, crs: str, fmt: str) -> int:
    """`write_stations` from registry features (a store's, parsed: no Station is built)."""
    check_crs(crs, fmt)
    if fmt == "GeoJSON":
        return write_geojson(path, (orjson.dumps(f) for f in source()))
    columns, n = _columns(source, fmt)
    with replacing(path, strict=True) as tmp:  # a fresh file of the same name: pyogrio goes by the suffix
        if fmt == "CSV":
            _write_csv(tmp, source, columns, crs)
        elif fmt == "XLSX":
            _write_xlsx(tmp, source, columns, crs)
        else:
            _write_gpkg(tmp, source, columns)
    return n

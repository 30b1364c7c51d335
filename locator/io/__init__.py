"""Station files: import (CSV, XLSX, GeoJSON, GeoPackage) and export.

`read_stations` reads and validates a whole file and raises on any problem, so an import is
all or nothing: `InvalidParameter` (one line, exit 2) when the file itself is malformed,
`RegistryInvalid` (every problem of every row) when its stations are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from locator.errors import InvalidParameter, Problem, RegistryInvalid
from locator.io.readers import bad_file
from locator.io.rows import Row
from locator.model import Station
from locator.validate import check_feature, duplicate_ids, near_duplicates, raw_id

FORMATS: Final = {".csv": "CSV", ".xlsx": "XLSX", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}
#: Read as CSV (comma or tab), never written: Excel's "Unicode text" is saved as .txt.
TEXT_TABLES: Final = {".txt": "CSV", ".tsv": "CSV"}
SPREADSHEETS: Final = ("CSV", "XLSX")
CRS_CHOICES: Final = "wgs84, gcj02 or bd09; points picked on Amap are gcj02"

__all__ = ["FORMATS", "file_format", "merge", "read_stations", "write_stations"]


def file_format(path: Path, name: str = "FILE", reading: bool = False) -> str:
    """The format by extension; `reading` also accepts .txt/.tsv (tab- or comma-separated text)."""
    known = {**FORMATS, **TEXT_TABLES} if reading else FORMATS
    fmt = known.get(path.suffix.lower())
    if fmt is None and path.is_dir():
        raise InvalidParameter(name, f"{path} is a folder: give a file name such as {path / 'stations.csv'}")
    if fmt is None:
        raise InvalidParameter(name, f"{path}: unsupported file type {path.suffix!r} (use {', '.join(known)})")
    return fmt


def _rows(path: Path, fmt: str, crs: str | None, keep: set[str], layer: str | None, note: Note) -> list[Row]:
    if fmt in SPREADSHEETS:
        from locator.io.readers import read_csv
        from locator.io.rows import table_rows
        from locator.io.xlsx import read_xlsx

        tables = read_csv(path) if fmt == "CSV" else read_xlsx(path)
        for line in (n for t in tables for n in t.notes):
            note(line)
        tables = [t for t in tables if t.rows]
        if not tables:
            raise bad_file(path, "", "is empty (no visible sheet holds any cell)")
        several = len(tables) > 1
        return [row for t in tables for row in table_rows(path, t, crs, keep, several)]
    from locator.io.gis import geojson_rows, gpkg_rows

    return geojson_rows(path, crs, keep) if fmt == "GeoJSON" else gpkg_rows(path, crs, keep, layer)


Note = Callable[[str], None]


def _ignore(_line: str) -> None:
    pass


_SOMEWHERE: Final = {"type": "Point", "coordinates": [116.4, 39.9]}


def read_stations(
    path: Path,
    crs: str | None,
    keep: set[str] | frozenset[str] = frozenset(),
    warnings: list[Problem] | None = None,
    layer: str | None = None,
    note: Note = _ignore,
    given: list[frozenset[str]] | None = None,
) -> list[Station]:
    """Read and validate a whole file; nothing is partial. A spreadsheet needs `crs` unless its
    lon/lat headers state it; `keep` names extra columns to keep as extra properties; `warnings`,
    when given, receives the warnings of a file that has no error; `layer` picks a GeoPackage
    layer; `note` receives informational lines (hidden sheets skipped)."""
    fmt = file_format(path, reading=True)
    if not path.exists():
        raise InvalidParameter("FILE", f"{path} does not exist")
    if path.is_dir():
        raise InvalidParameter("FILE", f"{path} is a folder, not a file")
    rows = _rows(path, fmt, crs, set(keep), layer, note)
    stations: list[Station] = []
    places: list[str] = []
    problems: list[Problem] = list(duplicate_ids([(place, raw_id(f)) for place, f, _ in rows]))
    for place, feature, found in rows:
        problems.extend(found)
        if feature is None:
            continue
        if found and isinstance(feature.get("geometry"), dict) and feature["geometry"].get("coordinates") is None:
            # lon/lat already reported: check the rest of the row against a stand-in point
            _station, more = check_feature(place, {**feature, "geometry": _SOMEWHERE})
            problems.extend(more)
            continue
        station, more = check_feature(place, feature)
        problems.extend(more)
        if station is not None and not found:
            stations.append(station)
            places.append(place)
            if given is not None:
                props = feature.get("properties")
                given.append(frozenset(props) if isinstance(props, dict) else frozenset())
    problems.extend(near_duplicates(stations, places))
    if any(not p.warning for p in problems):
        raise RegistryInvalid(str(path), problems)
    if warnings is not None:
        warnings.extend(problems)
    return stations


def merge(existing: list[Station], incoming: list[Station], replace_all: bool) -> list[Station]:
    """Incoming stations replace those with the same id; new ids are appended in file order."""
    if replace_all:
        return list(incoming)
    new = {s.id: s for s in incoming}
    out = [new.pop(s.id, s) for s in existing]
    out.extend(s for s in incoming if s.id in new)
    return out


def write_stations(path: Path, stations: list[Station], crs: str = "wgs84") -> None:
    """Export by extension (atomic); see locator.io.export (which also streams)."""
    from locator.io.export import write_stations as write

    write(path, lambda: stations, crs, file_format(path))

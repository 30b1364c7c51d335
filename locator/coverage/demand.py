"""Demand files: weighted points (delivery hot spots, depots, worker counts) for siting stations.

Read: CSV (comma or tab, UTF-8 or GBK, like station imports), XLSX, GeoPackage and GeoJSON.
A spreadsheet needs a lon and a lat column (经度/纬度, lon/lng/longitude, lat/latitude) and may
have a weight column (权重/weight/人数/数量/需求量/count); without one every point weighs 1.
Other columns (names, notes) are ignored. A spreadsheet's points are GCJ-02 unless the lon/lat
headers say otherwise (`经度（WGS84）`) or the caller names the system: hot spots are usually
picked on Amap, and the system used is kept in `Demand.crs` for the faces to state. GIS files
carry their own CRS; a layer without one needs the caller's `crs`.

A weight that is missing, not a number, or ≤ 0 is an error, never skipped: every bad row is
one `Problem` (file:row, column, what is wrong) and the whole file is refused (`RegistryInvalid`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from locator.coords import CRS_IDS, in_china, to_wgs84
from locator.errors import InvalidParameter, Problem, RegistryInvalid
from locator.io.fileerrors import bad_file
from locator.io.headers import field_for, header_crs, normalise
from locator.io.readers import ErrorCell, Formula, Table

SPREADSHEET_DEFAULT_CRS: Final = "gcj02"
WEIGHT_HEADERS: Final = frozenset(normalise(h) for h in ("weight", "权重", "人数", "数量", "需求量", "需求", "count"))
HEADER_WITHIN: Final = 20
_SUFFIXES: Final = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV", ".xlsx": "XLSX", ".gpkg": "GIS", ".geojson": "GIS"}


@dataclass(frozen=True)
class Demand:
    """Weighted demand points in WGS-84; `crs` is the system the file was read as."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    weight: NDArray[np.float64]
    source: str
    crs: str = "wgs84"
    weighted: bool = True  # False: the file had no weight column (every point weighs 1)

    def __len__(self) -> int:
        return int(self.lon.size)

    @property
    def total(self) -> float:
        return float(self.weight.sum())


def load_demand(path: Path, crs: str | None = None) -> Demand:
    """Read a demand file; `crs` (wgs84, gcj02 or bd09) names a spreadsheet's system (default
    GCJ-02 unless its headers state one) or that of a GIS layer without a CRS."""
    if crs is not None and crs not in CRS_IDS:
        raise InvalidParameter("crs", f"unknown coordinate system {crs!r} (allowed: {', '.join(CRS_IDS)})")
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidParameter(
            "FILE", f"{path}: unsupported demand file type {path.suffix!r} (use {', '.join(_SUFFIXES)})"
        )
    if not path.is_file():
        raise InvalidParameter("FILE", f"{path} {'is a folder, not a file' if path.is_dir() else 'does not exist'}")
    if kind == "GIS":
        return _read_gis(path, crs)
    return _read_sheets(path, kind, crs)


def _read_sheets(path: Path, kind: str, crs: str | None) -> Demand:
    if kind == "CSV":
        from locator.io.readers import read_csv

        tables = read_csv(path)
    else:
        from locator.io.xlsx import read_xlsx

        tables = read_xlsx(path)
    tables = [t for t in tables if t.rows]
    if not tables:
        raise bad_file(path, "", "is empty (no header row)")
    lon: list[float] = []
    lat: list[float] = []
    weight: list[float] = []
    problems: list[Problem] = []
    systems: set[str] = set()
    weighted = True
    for table in tables:
        system, has_weight = _read_table(path, table, crs, (lon, lat, weight), problems)
        systems.add(system)
        weighted = weighted and has_weight
    if problems:
        raise RegistryInvalid(str(path), problems)
    if not lon:
        raise bad_file(path, "", "has a header but no demand rows")
    if len(systems) > 1:
        raise bad_file(path, "", f"sheets name different coordinate systems ({', '.join(sorted(systems))})")
    system = systems.pop()
    w_lon, w_lat = to_wgs84(np.array(lon), np.array(lat), system)
    return Demand(w_lon, w_lat, np.array(weight), str(path), system, weighted)


def _header(path: Path, table: Table) -> tuple[int, dict[str, tuple[int, str]]]:
    """(index of the header row, field → (column, header as written)) for lon, lat, weight."""
    where = f"{table.label}!" if table.label else ""
    for index, (row_no, cells) in enumerate(table.rows[:HEADER_WITHIN]):
        found: dict[str, tuple[int, str]] = {}
        for col, cell in enumerate(cells):
            text = "" if cell is None else str(cell).strip()
            field = field_for(text) if text else None
            if field not in ("lon", "lat") and text and normalise(text) in WEIGHT_HEADERS:
                field = "weight"
            if field in ("lon", "lat", "weight"):
                if field in found:
                    raise bad_file(
                        path, f"{where}{row_no}", f"columns {found[field][1]!r} and {text!r} are both {field}"
                    )
                found[field] = (col, text)
        if "lon" in found and "lat" in found:
            return index, found
    raise bad_file(
        path, f"{where}{table.rows[0][0]}", "has no header row with 经度 (lon) and 纬度 (lat) columns (and 权重/weight)"
    )


def _read_table(
    path: Path,
    table: Table,
    given: str | None,
    out: tuple[list[float], list[float], list[float]],
    problems: list[Problem],
) -> tuple[str, bool]:
    where = f"{table.label}!" if table.label else ""
    index, columns = _header(path, table)
    number = table.rows[index][0]
    stated = {header_crs(columns[f][1]) for f in ("lon", "lat")} - {None}
    if len(stated) > 1:
        raise bad_file(path, f"{where}{number}", "the lon and lat headers name different coordinate systems")
    system = stated.pop() if stated else None
    if system is not None and given is not None and system != given:
        raise bad_file(path, f"{where}{number}", f"the lon/lat headers say {system} but crs {given} was given")
    system = system or given or SPREADSHEET_DEFAULT_CRS
    for number, cells in table.rows[index + 1 :]:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        place = f"{path}:{where}{number}"
        values: dict[str, float | None] = {}
        for field, (col, header) in columns.items():
            value = cells[col] if col < len(cells) else None
            values[field] = _number(place, header, value, problems, positive=field == "weight")
        x, y = values["lon"], values["lat"]
        if x is not None and y is not None and not bool(in_china(x, y)):
            problems.append(Problem(place, columns["lon"][1], f"({x}, {y}) is outside China (lon and lat swapped?)"))
            continue
        if x is None or y is None or ("weight" in values and values["weight"] is None):
            continue
        out[0].append(x)
        out[1].append(y)
        out[2].append(values.get("weight") or 1.0)
    return system, "weight" in columns


def _number(place: str, header: str, value: Any, problems: list[Problem], *, positive: bool = False) -> float | None:
    """A finite number (> 0 when `positive`) or None after recording the problem."""
    if isinstance(value, Formula | ErrorCell):
        problems.append(Problem(place, header, f"holds {value!r}, not a value (paste values only: 选择性粘贴 → 数值)"))
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(place, header, "is empty (a number is needed)"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(Problem(place, header, f"{value!r} is not a number"))
        return None
    try:
        text = value.strip().replace(",", "") if positive and isinstance(value, str) else value
        number = float(text)
    except ValueError:
        problems.append(Problem(place, header, f"{value!r} is not a number"))
        return None
    if not math.isfinite(number):
        problems.append(Problem(place, header, f"{value!r} is not a finite number"))
        return None
    if positive and number <= 0:
        problems.append(Problem(place, header, f"{value!r} is not a positive weight (a weight must be > 0)"))
        return None
    return number


def _read_gis(path: Path, crs: str | None) -> Demand:
    """A GeoPackage or GeoJSON layer of points: the one spatial layer, else the one named `demand`."""
    import pyogrio

    try:
        spatial = [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
        if len(spatial) != 1 and "demand" not in spatial:
            raise bad_file(
                path, "", f"has layers {', '.join(spatial) or '(none with geometry)'}: keep one layer of points"
            )
        layer = spatial[0] if len(spatial) == 1 else "demand"
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        raise bad_file(path, "", f"is not readable: {str(exc).splitlines()[0]}") from None
    system = "wgs84"
    if gdf.crs is None:
        if crs is None:
            raise bad_file(path, "", "layer has no CRS: name its coordinate system (wgs84, gcj02 or bd09)")
        system = crs
    elif not gdf.crs.equals(4326, ignore_axis_order=True):
        if crs is not None:
            raise bad_file(
                path, "", f"the file states its CRS ({gdf.crs.name}); a crs may be given only when it has none"
            )
        gdf = gdf.to_crs(4326)
    elif crs not in (None, "wgs84"):
        raise bad_file(path, "", f"the file states WGS-84, but crs {crs} was given")
    weights = [str(c) for c in gdf.columns if c != "geometry" and normalise(str(c)) in WEIGHT_HEADERS]
    if len(weights) > 1:
        raise bad_file(path, "", f"columns {weights[0]!r} and {weights[1]!r} are both weight: keep one")
    problems: list[Problem] = []
    lon: list[float] = []
    lat: list[float] = []
    weight: list[float] = []
    column = gdf[weights[0]].tolist() if weights else [1.0] * len(gdf)
    for i, (geom, value) in enumerate(zip(gdf.geometry, column, strict=True)):
        place = f"{path}:#{i + 1}"
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            kind = "no geometry" if geom is None or geom.is_empty else f"a {geom.geom_type}"
            problems.append(Problem(place, "geometry", f"is {kind}, not a point"))
            continue
        if hasattr(value, "item"):
            value = value.item()  # numpy scalar
        if isinstance(value, float) and math.isnan(value):
            value = None
        w = _number(place, weights[0] if weights else "weight", value, problems, positive=True)
        if w is not None:
            lon.append(float(geom.x))
            lat.append(float(geom.y))
            weight.append(w)
    if problems:
        raise RegistryInvalid(str(path), problems)
    if not lon:
        raise bad_file(path, "", "has no demand points")
    w_lon, w_lat = to_wgs84(np.array(lon), np.array(lat), system)
    outside = np.flatnonzero(~in_china(w_lon, w_lat))
    if outside.size:
        i = int(outside[0])
        raise bad_file(path, f"#{i + 1}", f"point ({lon[i]}, {lat[i]}) is outside China ({outside.size} such point(s))")
    return Demand(w_lon, w_lat, np.array(weight), str(path), system if gdf.crs is None else "wgs84", bool(weights))

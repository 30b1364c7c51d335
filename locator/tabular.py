"""Import and export of station files: CSV (UTF-8, UTF-8 with BOM, GBK), XLSX, GeoJSON, GeoPackage.

Spreadsheets have one row per station, a column per registry property plus `lon`/`lat` in the
coordinate system the caller names (staff usually pick points on Amap: GCJ-02). Chinese headers
and the Chinese labels of types, amenities and statuses are accepted as aliases. Problems are
reported with the spreadsheet's own row numbers (header = row 1); a file with any bad row
changes nothing.

Decisions: CSV is exported as UTF-8 *with* BOM so that Excel on Windows shows Chinese; GeoJSON
and GeoPackage exports are always WGS-84 (GCJ-02 has no EPSG code a GIS could read), while CSV
and XLSX follow `crs`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from locator import vocab
from locator.atomic import replacing
from locator.coords import from_wgs84, to_wgs84
from locator.errors import InvalidParameter, Problem, RegistryInvalid
from locator.model import PROPERTY_ORDER, Station
from locator.registry import atomic_write, dump_geojson, read_json
from locator.validate import check_feature, duplicate_ids, near_duplicates, place_of, raw_id

HEADER_ALIASES: Final = {
    "编号": "id", "名称": "name", "类型": "type", "设施": "amenities", "开放时间": "opening_hours",
    "地址": "address", "区": "district", "电话": "phone", "状态": "status", "来源": "source",
    "经度": "lon", "纬度": "lat", "运营方": "operator", "备注": "note", "位置精度": "coord_precision",
    "核实日期": "verified_at",
}  # fmt: skip
_LIST_SPLIT: Final = re.compile(r"[;；、,，]")
FORMATS: Final = {".csv": "CSV", ".xlsx": "XLSX", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}


def file_format(path: Path, name: str = "FILE") -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidParameter(name, f"{path}: unsupported file type {path.suffix!r} (use {', '.join(FORMATS)})")
    return fmt


def _decode_csv(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # superset of GBK, as Excel on Chinese Windows writes


def _read_table(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "CSV":
        return pd.read_csv(io.StringIO(_decode_csv(path.read_bytes())), dtype=str, keep_default_na=False)
    return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _row_feature(row: dict[str, Any], place: str, crs: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    props: dict[str, Any] = {}
    coords: list[float] = []
    for key in ("lon", "lat"):
        text = _cell(row.get(key))
        try:
            coords.append(float(text))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(
                Problem(place, key, "required number is missing" if text is None else f"{text!r} is not a number")
            )
    for key, value in row.items():
        if key in ("lon", "lat"):
            continue
        text = _cell(value)
        if key == "amenities":
            items = [a.strip() for a in _LIST_SPLIT.split(text or "") if a.strip()]
            props[key] = [vocab.amenity_id(a) or a for a in items]
        elif key == "type":
            props[key] = (vocab.type_id(text) or text) if text else None
        elif key == "status":
            if text:
                props[key] = vocab.status_id(text) or text
        elif key == "opening_hours" or text is not None:
            props[key] = text
    if "type" in props and props["type"] is None:
        del props["type"]
    if problems:
        return None, problems
    w_lon, w_lat = to_wgs84(coords[0], coords[1], crs)
    geometry = {"type": "Point", "coordinates": [round(float(w_lon), 7), round(float(w_lat), 7)]}
    return {"type": "Feature", "geometry": geometry, "properties": props}, []


def _features_from_table(path: Path, fmt: str, crs: str) -> list[tuple[str, Any, list[Problem]]]:
    df = _read_table(path, fmt)
    df.columns = [HEADER_ALIASES.get(str(c).strip(), str(c).strip()) for c in df.columns]
    missing = [c for c in ("id", "name", "type", "lon", "lat", "source") if c not in df.columns]
    if missing:
        raise RegistryInvalid(str(path), [Problem(f"{path}:1", "header", f"missing column(s): {', '.join(missing)}")])
    if "amenities" not in df.columns:
        df["amenities"] = ""
    if "opening_hours" not in df.columns:
        df["opening_hours"] = ""
    out: list[tuple[str, Any, list[Problem]]] = []
    for i, row in enumerate(df.to_dict(orient="records")):
        place = f"{path}:{i + 2}"
        feature, problems = _row_feature({str(k): v for k, v in row.items()}, place, crs)
        out.append((place, feature, problems))
    return out


def _features_from_gis(path: Path, fmt: str, crs: str) -> list[tuple[str, Any, list[Problem]]]:
    if fmt == "GeoJSON":
        doc, _raw = read_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
            raise RegistryInvalid(str(path), [Problem(str(path), "file", "must be a GeoJSON FeatureCollection")])
        features = doc["features"]
    else:
        import geopandas as gpd  # heavy: imported only for GeoPackage files

        gdf = gpd.read_file(path, engine="pyogrio")
        if gdf.crs is not None and crs == "wgs84" and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
        features = []
        for rec, geom in zip(gdf.drop(columns="geometry").to_dict(orient="records"), gdf.geometry, strict=True):
            props = {k: _gis_value(k, v) for k, v in rec.items()}
            props = {k: v for k, v in props.items() if v is not None or k == "opening_hours"}
            point = None if geom is None or geom.geom_type != "Point" else [geom.x, geom.y]
            features.append(
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}, "properties": props}
            )
    out: list[tuple[str, Any, list[Problem]]] = []
    for i, feature in enumerate(features):
        place = place_of(str(path), i, feature)
        if crs != "wgs84" and isinstance(feature, dict):
            coords = (feature.get("geometry") or {}).get("coordinates")
            if isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, int | float) for c in coords[:2]):
                x, y = to_wgs84(coords[0], coords[1], crs)
                feature["geometry"]["coordinates"] = [round(float(x), 7), round(float(y), 7)]
        out.append((place, feature, []))
    return out


def _gis_value(key: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if key == "amenities" and isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [a.strip() for a in _LIST_SPLIT.split(text) if a.strip()]
    return value


def read_stations(path: Path, crs: str) -> list[Station]:
    """Read and validate a whole file; RegistryInvalid lists every bad row, nothing is partial."""
    if not path.exists():
        raise InvalidParameter("FILE", f"{path} does not exist")
    fmt = file_format(path)
    reader: Callable[[Path, str, str], list[tuple[str, Any, list[Problem]]]]
    reader = _features_from_table if fmt in ("CSV", "XLSX") else _features_from_gis
    rows = reader(path, fmt, crs)
    stations: list[Station] = []
    places: list[str] = []
    problems: list[Problem] = []
    problems.extend(duplicate_ids([(place, raw_id(feature) if feature else None) for place, feature, _ in rows]))
    for place, feature, found in rows:
        problems.extend(found)
        if feature is None:
            continue
        station, more = check_feature(place, feature)
        problems.extend(more)
        if station is not None:
            stations.append(station)
            places.append(place)
    problems.extend(near_duplicates(stations, places))
    if any(not p.warning for p in problems):
        raise RegistryInvalid(str(path), problems)
    return stations


def merge(existing: list[Station], incoming: list[Station], replace_all: bool) -> list[Station]:
    """Incoming stations replace those with the same id; new ids are appended in file order."""
    if replace_all:
        return list(incoming)
    new = {s.id: s for s in incoming}
    out = [new.pop(s.id, s) for s in existing]
    out.extend(s for s in incoming if s.id in new)
    return out


def _rows(stations: list[Station], crs: str) -> pd.DataFrame:
    records = []
    for s in stations:
        props = s.properties()
        props["amenities"] = ";".join(s.amenities)
        records.append(props)
    columns = list(PROPERTY_ORDER) + sorted({k for r in records for k in r} - set(PROPERTY_ORDER))
    df = pd.DataFrame.from_records(records, columns=columns)
    lon, lat = from_wgs84([s.lon for s in stations], [s.lat for s in stations], crs)
    df["lon"] = lon.round(7)
    df["lat"] = lat.round(7)
    return df


def write_stations(path: Path, stations: list[Station], crs: str = "wgs84") -> None:
    """Export by extension; written to a temporary file first, then renamed (atomic)."""
    fmt = file_format(path)
    if fmt == "GeoJSON":
        atomic_write(path, dump_geojson(stations))
        return
    with replacing(path) as tmp:
        if fmt == "CSV":
            tmp.write_bytes(_rows(stations, crs).to_csv(index=False).encode("utf-8-sig"))
        elif fmt == "XLSX":
            _rows(stations, crs).to_excel(tmp, index=False, engine="openpyxl")
        else:
            import geopandas as gpd

            df = _rows(stations, "wgs84")
            gdf = gpd.GeoDataFrame(
                df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326
            )
            gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer="stations")

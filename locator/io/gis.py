"""GeoJSON and GeoPackage files → features in WGS-84.

GeoJSON is WGS-84 by RFC 7946; an old-style `crs` member naming another system is honoured
when pyproj knows it. A GeoPackage carries its CRS. `--crs` applies only to a GeoPackage
layer without a CRS (GCJ-02 has no EPSG code, so no GIS file can declare it); any other
`--crs` that disagrees with what the file says is an error, never a silent shift.

Property values are normalised like spreadsheet cells (`locator.io.cells.property_value`).
Attribute columns named like lon/lat (经度, 纬度 — left over from the spreadsheet the layer
was made from) repeat the geometry and are dropped; so are row counters (序号).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from locator.coords import to_wgs84
from locator.errors import Problem, RegistryInvalid
from locator.io.cells import cell_text, iso, property_value
from locator.io.headers import field_for, is_counter, known_headers, normalise, suggestion
from locator.io.readers import bad_file
from locator.io.rows import Row
from locator.registry import read_json
from locator.validate import place_of

_WGS84_NAMES = ("WGS 84", "WGS 84 (CRS84)")


def _crs_error(path: Path, crs: str, declared: str) -> Exception:
    return bad_file(
        path,
        "",
        f"the file states its coordinates are {declared}, but --crs {crs} was given: "
        "drop --crs (it applies to spreadsheets and to GeoPackage layers without a CRS)",
    )


def _transformer(path: Path, name: str) -> Any:
    """None when `name` is WGS-84 (any axis order), else a transformer to WGS-84 lon/lat."""
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        raise bad_file(path, "crs", f"unknown coordinate system {name!r}; convert the file to WGS-84") from None
    if crs.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        return None
    return pyproj.Transformer.from_crs(crs, 4326, always_xy=True)


def check_names(path: Path, places: dict[str, str], keep: set[str]) -> dict[str, str]:
    """Property name → field (aliases allowed); unknown names are an error unless kept.
    lon/lat attributes and row counters map to "" (dropped)."""
    keep_norm = {normalise(k) for k in keep}
    mapping: dict[str, str] = {}
    by_field: dict[str, str] = {}
    unknown: list[str] = []
    for name in places:
        field = field_for(name)
        if field in ("lon", "lat") or is_counter(name):
            mapping[name] = ""
            continue
        if field is None:
            if normalise(name) not in keep_norm:
                unknown.append(name)
                continue
            field = name
        if field in by_field:
            raise bad_file(path, "", f"properties {by_field[field]!r} and {name!r} are both {field}: keep one")
        by_field[field] = name
        mapping[name] = field
    if unknown:
        listed = "; ".join(f"{n!r} at {places[n]} ({suggestion(n)})" for n in unknown[:10])
        if len(unknown) > 10:
            listed += f" and {len(unknown) - 10} more"
        raise bad_file(
            path,
            "",
            f"unknown propert(ies) {listed}. Known: {known_headers()}. "
            "To keep other properties, name them with --keep-columns",
        )
    return mapping


def _rename(path: Path, features: list[Any], keep: set[str]) -> None:
    places: dict[str, str] = {}
    for i, f in enumerate(features):
        props = f.get("properties") if isinstance(f, dict) else None
        if isinstance(props, dict):
            for k in props:
                places.setdefault(str(k), place_of(str(path), i, f).split(":", 1)[-1])
    mapping = check_names(path, places, keep)
    for i, f in enumerate(features):
        props = f.get("properties") if isinstance(f, dict) else None
        if isinstance(props, dict):
            out: dict[str, Any] = {}
            for k, v in props.items():
                field = mapping[str(k)]
                if field:
                    out[field] = _normalised(path, i, f, field, v)
            f["properties"] = out


def _normalised(path: Path, i: int, feature: Any, field: str, value: Any) -> Any:
    try:
        return property_value(field, value, kept=field_for(field) is None)
    except ValueError as exc:
        raise bad_file(path, place_of(str(path), i, feature).split(":", 1)[-1], f"{field}: {exc}") from None


def _transform(features: list[Any], convert: Any) -> None:
    for f in features:
        geometry = f.get("geometry") if isinstance(f, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, int | float) for c in coords[:2]):
            x, y = convert(coords[0], coords[1])
            geometry["coordinates"] = [round(float(x), 7), round(float(y), 7)]  # type: ignore[index]


def geojson_rows(path: Path, crs: str | None, keep: set[str]) -> list[Row]:
    try:
        doc, _raw = read_json(path)
    except RegistryInvalid as exc:
        raise bad_file(path, "", exc.problems[0].message) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise bad_file(path, "", "must be a GeoJSON FeatureCollection with a 'features' list")
    declared = doc.get("crs")
    convert = None
    if declared is not None:
        name = declared.get("properties", {}).get("name") if isinstance(declared, dict) else None
        if not isinstance(name, str) or not isinstance(declared.get("properties"), dict):
            raise bad_file(path, "crs", "only a named 'crs' member is understood; remove it or convert to WGS-84")
        tr = _transformer(path, name)
        if crs is not None and (tr is not None or crs != "wgs84"):
            raise _crs_error(path, crs, name)
        if tr is not None:
            convert = tr.transform
    elif crs is not None and crs != "wgs84":
        raise _crs_error(path, crs, "WGS-84 (GeoJSON, RFC 7946)")
    features: list[Any] = doc["features"]
    _rename(path, features, keep)
    if convert is not None:
        _transform(features, convert)
    return [(place_of(str(path), i, f), f, []) for i, f in enumerate(features)]


def _value(key: str, value: Any, place: str, problems: list[Problem]) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.date | dt.datetime):
        return iso(value)
    if key == "amenities" and isinstance(value, str) and value.strip().startswith("["):
        text = value.strip()
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if not isinstance(items, list):
            problems.append(Problem(place, key, f"{text!r} is not a JSON list (write ids separated by ';')"))
            return []
        return items
    kept = field_for(key) is None
    try:
        value = property_value(key, value, kept=kept)
    except ValueError as exc:
        problems.append(Problem(place, key, str(exc)))
        return None
    return cell_text(value) if kept and not isinstance(value, str) else value  # export writes text


def _layer(path: Path, layers: list[tuple[str, Any]], wanted: str | None) -> str:
    """The layer to read: `--layer`, else the one spatial layer (QGIS keeps its styles in a
    non-spatial table `layer_styles`), else the spatial layer named 'stations'."""
    names = [name for name, _geom in layers]
    spatial = [name for name, geom in layers if geom is not None]
    if wanted is not None:
        if wanted not in names:
            raise bad_file(path, "", f"has no layer {wanted!r} (layers: {', '.join(names) or '(none)'})")
        if wanted not in spatial:
            raise bad_file(path, "", f"layer {wanted!r} has no geometry: it is a table, not a layer of points")
        return wanted
    if len(spatial) == 1:
        return spatial[0]
    if "stations" in spatial:
        return "stations"
    if not spatial:
        listed = f" (tables without geometry: {', '.join(names)})" if names else ""
        raise bad_file(path, "", f"has no layer with geometry{listed}: stations need points")
    raise bad_file(path, "", f"has layers {', '.join(spatial)}: name one with --layer NAME")


def gpkg_rows(path: Path, crs: str | None, keep: set[str], wanted: str | None = None) -> list[Row]:
    import pyogrio

    try:
        layer = _layer(path, [(str(n), g) for n, g in pyogrio.list_layers(path)], wanted)
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        raise bad_file(path, "", f"is not a readable GeoPackage: {str(exc).splitlines()[0].split(';')[0]}") from None
    if not hasattr(gdf, "crs"):
        raise bad_file(path, "", f"layer {layer!r} has no geometry: stations need points")
    if gdf.crs is None:
        if crs is None:
            raise bad_file(path, "", "layer has no CRS: give --crs (wgs84, gcj02 or bd09)")
    else:
        if crs is not None and not (crs == "wgs84" and _transformer(path, gdf.crs.to_wkt()) is None):
            raise _crs_error(path, crs, str(gdf.crs.name))
        if _transformer(path, gdf.crs.to_wkt()) is not None:
            gdf = gdf.to_crs(4326)
    columns = [str(c) for c in gdf.columns if c != "geometry"]
    mapping = check_names(path, {c: "header" for c in columns}, keep)
    out: list[Row] = []
    records = gdf.drop(columns="geometry").to_dict(orient="records")
    for i, (rec, geom) in enumerate(zip(records, gdf.geometry, strict=True)):
        problems: list[Problem] = []
        rid = rec.get(next((c for c, f in mapping.items() if f == "id"), "id"))
        place = f"{path}:{rid}" if isinstance(rid, str) and rid.strip() else f"{path}:#{i + 1}"
        fields = [(mapping[str(k)], v) for k, v in rec.items() if mapping[str(k)]]
        props = {f: _value(f, v, place, problems) for f, v in fields}
        props = {k: v for k, v in props.items() if v is not None or k == "opening_hours"}
        props.setdefault("opening_hours", None)
        if geom is None or geom.is_empty:
            geometry: Any = None
        elif geom.geom_type != "Point":
            geometry = {"type": geom.geom_type}
        else:
            x, y = (geom.x, geom.y) if gdf.crs is not None else to_wgs84(geom.x, geom.y, crs or "wgs84")
            geometry = {"type": "Point", "coordinates": [round(float(x), 7), round(float(y), 7)]}
        out.append((place, {"type": "Feature", "geometry": geometry, "properties": props}, problems))
    return out

"""How `locator edit` turns its flags into a station's new content.

`--set FIELD=VALUE` reads VALUE as a spreadsheet cell of that field would be read (amenities as a
list, Chinese labels of type / status / access, dates as 2024/5/1 too); an empty VALUE clears an
optional field. `--move LAT,LON` needs `--crs`: a point read off a Chinese map is GCJ-02, and
taking it for WGS-84 would move the station by hundreds of metres without a word.
"""

from __future__ import annotations

import re
from typing import Any, Final

from locator import params
from locator.coords import point_to_wgs84
from locator.errors import InvalidParameter
from locator.io.cells import property_value
from locator.io.headers import field_for
from locator.model import PROPERTY_ORDER, Station

_NOT_SET: Final = {
    "id": "the id cannot be changed (others find the station by it): delete it and add a new one",
    "lon": "use --move LAT,LON --crs C",
    "lat": "use --move LAT,LON --crs C",
}
_POINT_SPLIT: Final = re.compile(r"\s*[,，]\s*|\s+")


def set_field(props: dict[str, Any], station: Station, item: str) -> str:
    """Apply one `--set FIELD=VALUE` to the properties `props`; return the field it names."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise InvalidParameter("--set", f"{item!r} must look like FIELD=VALUE (e.g. --set phone=010-12345678)")
    name = name.strip()
    field = name if name in station.extra else field_for(name)
    if field in _NOT_SET:
        raise InvalidParameter("--set", f"{name}: {_NOT_SET[field]}")
    if field is None or (field not in PROPERTY_ORDER and field not in station.extra):
        known = ", ".join(f for f in PROPERTY_ORDER if f != "id")
        raise InvalidParameter("--set", f"unknown field {name!r} (fields: {known})")
    if not value.strip():
        if field == "amenities":
            props[field] = []
        elif field == "opening_hours":
            props[field] = None  # unknown hours
        else:
            props.pop(field, None)  # required fields are then reported missing by the check
        return field
    try:
        props[field] = property_value(field, value.strip(), kept=field in station.extra)
    except ValueError as exc:
        raise InvalidParameter("--set", f"{field}: {exc}") from None
    return field


def set_fields(props: dict[str, Any], station: Station, items: list[str]) -> None:
    """Apply every `--set`; a field named twice (`--set name=A --set 名称=B`) is refused, not last-wins."""
    seen: dict[str, str] = {}
    for item in items:
        field = set_field(props, station, item)
        if field in seen:
            raise InvalidParameter("--set", f"{field} is given twice ({seen[field]!r} and {item!r}): give it once")
        seen[field] = item


def change_amenities(props: dict[str, Any], add: list[str] | None, remove: list[str] | None) -> None:
    current = list(props.get("amenities") or [])
    for a in params.amenities(add, "--add-amenity"):
        if a not in current:
            current.append(a)
    gone = set(params.amenities(remove, "--remove-amenity"))
    props["amenities"] = [a for a in current if a not in gone]


def moved_point(move: str, crs: str | None) -> list[float]:
    """`LAT,LON` in `crs` → [lon, lat] in WGS-84, rounded as imports round (7 decimals, ~1 cm)."""
    if crs is None:
        raise InvalidParameter("--crs", "required with --move: the system LAT,LON were read in (wgs84, gcj02, bd09)")
    system = params.crs(crs, "--crs")
    parts = [p for p in _POINT_SPLIT.split(move.strip()) if p]
    if len(parts) != 2:
        raise InvalidParameter("--move", f"{move!r} must be LAT,LON (e.g. --move 39.9087,116.3975)")
    lat = params.latitude(parts[0], "--move")
    lon = params.longitude(parts[1], "--move")
    w_lon, w_lat = point_to_wgs84(lon, lat, system)
    return [round(w_lon, 7), round(w_lat, 7)]

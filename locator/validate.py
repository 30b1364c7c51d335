"""Validation of registry features: every problem, one line each, never just the first.

Shapes and enumerations are checked by the pydantic schema (model.StationProperties);
geography, opening hours, duplicates and near-duplicates are checked here; hidden characters
and text lengths in text_checks.py (limits: name 100, address 200, note 2,000, other known strings
200, extra string properties 2,000, opening_hours 255 characters).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any, Final

from pydantic import ValidationError

from locator import vocab
from locator.boundary import in_china, outside_hint
from locator.duplicates import NEAR_DUPLICATE_M, duplicate_ids, near_duplicates
from locator.errors import Problem
from locator.hours import HoursError, beijing, check_syntax
from locator.hours_hints import overnight_doubts
from locator.model import Station, StationProperties
from locator.text_checks import text_problems

__all__ = [
    "NEAR_DUPLICATE_M",
    "check_collection",
    "check_feature",
    "duplicate_ids",
    "near_duplicates",
    "place_of",
    "raw_id",
    "today_in_beijing",
]
#: Allowed values as staff read them: the id and its Chinese label (either is accepted in a spreadsheet).
_ALLOWED: Final = {
    field: tuple(f"{t.id} {t.zh}" for t in terms)
    for field, terms in (
        ("type", vocab.STATION_TYPES),
        ("amenities", vocab.AMENITIES),
        ("status", vocab.STATUSES),
        ("coord_precision", vocab.COORD_PRECISIONS),
        ("access", vocab.ACCESS),
    )
}


def _pydantic_problems(place: str, exc: ValidationError, raw: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        loc = err["loc"]
        field = str(loc[0]) if loc else "properties"
        kind = err["type"]
        value = err.get("input")
        if kind == "missing":
            msg = "required field is missing" + (" (use null when unknown)" if field == "opening_hours" else "")
        elif kind == "literal_error" and field in _ALLOWED:
            what = "amenity" if field == "amenities" else field.replace("_", " ")
            msg = f"unknown {what} {value!r} (allowed: {', '.join(_ALLOWED[field])})"
        elif kind == "string_too_short":
            msg = "must not be empty"
        elif kind == "string_pattern_mismatch":
            msg = f"{value!r} is not URL-safe (use letters, digits, '-', '_', '.', '~')"
        elif field == "verified_at":
            msg = f"{value!r} is not a YYYY-MM-DD date"
        elif value is None and field in ("id", "name", "type", "amenities", "source"):
            msg = "required field is null" + (" (use [] for no amenities)" if field == "amenities" else "")
        elif kind in ("string_type", "list_type"):
            want = "a list of amenity ids" if kind == "list_type" else "a string"
            msg = f"must be {want}, not {type(value).__name__} {value!r}"
        else:
            msg = err["msg"]
        out.append(Problem(place, field, msg))
    return out


def _coordinate_problems(place: str, geometry: Any) -> tuple[list[Problem], tuple[float, float] | None]:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return [Problem(place, "geometry", "must be a GeoJSON Point")], None
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list | tuple)
        or len(coords) < 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
    ):
        return [Problem(place, "geometry", f"coordinates must be [lon, lat] numbers, got {coords!r}")], None
    try:
        lon, lat = float(coords[0]), float(coords[1])
    except OverflowError:  # an integer too large for a float
        return [Problem(place, "geometry", "coordinates are out of range (lon -180..180, lat -90..90)")], None
    if not in_china(lon, lat) and in_china(lat, lon):
        msg = f"[{lon}, {lat}] looks swapped: GeoJSON order is [lon, lat], e.g. [116.38, 39.95]"
        return [Problem(place, "geometry", msg)], None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [Problem(place, "geometry", f"[{lon}, {lat}] is out of range (lon -180..180, lat -90..90)")], None
    if not in_china(lon, lat):
        return [Problem(place, "geometry", f"[{lon}, {lat}] is outside China ({outside_hint(lon, lat)})")], None
    return [], (lon, lat)


def today_in_beijing() -> dt.date:
    """Today's date in Beijing, where staff write `verified_at` (whatever the server's zone)."""
    return beijing().date()


def check_feature(place: str, feature: Any, today: dt.date | None = None) -> tuple[Station | None, list[Problem]]:
    """Validate one Feature; the station when it is valid, and all its problems.

    `today` (default: today_in_beijing()) is the last date `verified_at` may hold."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [Problem(place, "feature", "must be a GeoJSON Feature object")]
    props = feature.get("properties")
    if not isinstance(props, dict):
        return None, [Problem(place, "properties", "must be an object")]
    problems, point = _coordinate_problems(place, feature.get("geometry"))
    texts = text_problems(props)  # one problem per field: it replaces the schema's for that field
    parsed: StationProperties | None = None
    try:
        parsed = StationProperties.model_validate(props)
    except ValidationError as exc:
        problems.extend(p for p in _pydantic_problems(place, exc, props) if p.field not in texts)
    problems.extend(Problem(place, field, message) for field, message in texts.items())
    hours = props.get("opening_hours")
    if isinstance(hours, str) and "opening_hours" not in texts:
        try:
            check_syntax(hours)
        except HoursError as exc:
            problems.append(Problem(place, "opening_hours", f"{hours!r}: {exc}"))
        else:
            problems.extend(Problem(place, "opening_hours", d, warning=True) for d in overnight_doubts(hours))
    if parsed is not None and len(set(parsed.amenities)) != len(parsed.amenities):
        dupes = {a for a, n in Counter(parsed.amenities).items() if n > 1}
        problems.append(Problem(place, "amenities", f"listed twice: {', '.join(sorted(dupes))}", warning=True))
    if parsed is not None and parsed.verified_at is not None:
        last = today or today_in_beijing()
        if parsed.verified_at > last:
            msg = f"{parsed.verified_at.isoformat()} is in the future (today is {last.isoformat()} in Beijing)"
            problems.append(Problem(place, "verified_at", msg))
    if any(not p.warning for p in problems) or texts or parsed is None or point is None:
        return None, problems  # warnings alone keep the station
    return Station.from_properties(parsed, *point), problems


def place_of(path: str, index: int, feature: Any) -> str:
    """`PATH:ID` when the feature has an id, else `PATH:#N` (1-based feature number)."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return f"{path}:{fid}" if isinstance(fid, str) and fid.strip() else f"{path}:#{index + 1}"


def check_collection(path: str, doc: Any, today: dt.date | None = None) -> tuple[list[Station], list[Problem]]:
    """Validate a FeatureCollection; stations that passed and every problem found."""
    today = today or today_in_beijing()
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return [], [Problem(path, "file", "must be a GeoJSON FeatureCollection with a 'features' list")]
    stations: list[Station] = []
    problems: list[Problem] = []
    places: list[str] = []
    ids: list[tuple[str, Any]] = []
    features = doc["features"]
    for i, feature in enumerate(features):
        place = place_of(path, i, feature)
        station, found = check_feature(place, feature, today)
        problems.extend(found)
        ids.append((place, raw_id(feature)))
        features[i] = None  # free the parsed feature now: halves peak memory on big registries
        if station is not None:
            stations.append(station)
            places.append(place)
    problems.extend(duplicate_ids(ids))
    problems.extend(near_duplicates(stations, places))
    return stations, problems


def raw_id(feature: Any) -> Any:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props.get("id") if isinstance(props, dict) else None

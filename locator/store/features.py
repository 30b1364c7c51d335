"""Stations as the store keeps them: canonical Feature JSON, read back without re-validation.

Every feature in a store passed `validate.check_feature` when it was written, so reading one
back builds the Station directly (no pydantic): that is what makes loading a large store fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import orjson

from locator.model import NO_EXTRA, PROPERTY_ORDER, Station, amenity_tuple, intern_text

_KNOWN: Final = frozenset(PROPERTY_ORDER)
_INTERNED: Final = ("type", "opening_hours", "source", "district", "operator", "status", "coord_precision", "access")


def to_json(station: Station) -> bytes:
    return orjson.dumps(station.feature())


def station_from_feature(feature: dict[str, Any]) -> Station:
    """A Station from a feature the store wrote (trusted: already validated)."""
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    values: dict[str, Any] = {k: props.get(k) for k in PROPERTY_ORDER if k in props}
    for k in _INTERNED:
        if values.get(k) is not None:
            values[k] = intern_text(values[k])
    values["amenities"] = amenity_tuple(tuple(props.get("amenities", ())))
    if values.get("verified_at") is not None:
        values["verified_at"] = dt.date.fromisoformat(values["verified_at"])
    extra = {k: v for k, v in props.items() if k not in _KNOWN}
    return Station(**values, lon=float(lon), lat=float(lat), extra=extra or NO_EXTRA)


def station_from_json(raw: bytes | str) -> Station:
    return station_from_feature(orjson.loads(raw))


def changed_fields(before: bytes | None, after: bytes | None) -> list[str]:
    """Property names whose value differs (plus `geometry` when the point moved); every field
    present on either side when the station was created or deleted."""
    old = orjson.loads(before) if before else None
    new = orjson.loads(after) if after else None
    if old is None or new is None:
        side = new or old or {}
        return [*_ordered(set(side.get("properties", {}))), "geometry"]
    op, np_ = old["properties"], new["properties"]
    out = [k for k in _ordered(op.keys() | np_.keys()) if op.get(k) != np_.get(k)]
    if old["geometry"] != new["geometry"]:
        out.append("geometry")
    return out


def _ordered(keys: set[str]) -> list[str]:
    rank = {k: i for i, k in enumerate(PROPERTY_ORDER)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))

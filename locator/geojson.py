"""GeoJSON output of query results (RFC 7946, [lon, lat]), shared by the CLI and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from locator.coords import point_from_wgs84
from locator.hours_zh import hours_zh
from locator.model import Station
from locator.service import Hit

_CACHE: dict[int, tuple[Station, dict[str, Any]]] = {}
_CACHE_MAX = 200_000


def _static_properties(st: Station) -> dict[str, Any]:
    """The station's registry properties, computed once per Station object (bounded cache)."""
    hit = _CACHE.get(id(st))
    if hit is not None and hit[0] is st:
        return hit[1]
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    props = st.properties()
    _CACHE[id(st)] = (st, props)
    return props


@lru_cache(maxsize=65536)
def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment is not None else None


def hit_feature(hit: Hit, crs: str = "wgs84") -> dict[str, Any]:
    """A Feature with the registry properties plus open state, readable hours and distance."""
    st = hit.station
    if crs == "wgs84":
        coords = [st.lon, st.lat]  # stored as written in the registry
    else:
        lon, lat = point_from_wgs84(st.lon, st.lat, crs)
        coords = [round(lon, 7), round(lat, 7)]
    props = dict(_static_properties(st))
    props["opening_hours_zh"] = hours_zh(st.opening_hours)
    props["open"] = hit.state.open
    props["next_change"] = _iso(hit.state.next_change)
    if hit.distance_m is not None:
        props["distance_m"] = round(hit.distance_m, 1)
    return {
        "type": "Feature",
        "id": st.id,
        "geometry": {"type": "Point", "coordinates": coords},
        "properties": props,
    }


def feature_collection(
    hits: Iterable[Hit],
    crs: str = "wgs84",
    *,
    at: dt.datetime | None = None,
    warnings: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "FeatureCollection", "features": [hit_feature(h, crs) for h in hits]}
    out["crs_id"] = crs
    if at is not None:
        out["evaluated_at"] = _iso(at)
    if warnings:
        out["warnings"] = warnings
    if extra:
        out.update(extra)
    return out

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


class PropertiesCache:
    """Registry properties of one registry's stations, computed once per station id.

    Owned by whoever owns the registry (the API keeps one per loaded Locator), so it dies with it:
    a module-level cache would keep the stations of every registry ever served alive.
    """

    __slots__ = ("__weakref__", "_props")

    def __init__(self) -> None:
        self._props: dict[str, dict[str, Any]] = {}

    def get(self, st: Station) -> dict[str, Any]:
        props = self._props.get(st.id)
        if props is None:
            props = self._props[st.id] = st.properties()
        return props


@lru_cache(maxsize=65536)
def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment is not None else None


def hit_feature(hit: Hit, crs: str = "wgs84", cache: PropertiesCache | None = None) -> dict[str, Any]:
    """A Feature with the registry properties plus open state, readable hours and distance.

    `cache` must belong to the registry the hit comes from (ids are unique within one registry).
    """
    st = hit.station
    if crs == "wgs84":
        coords = [st.lon, st.lat]  # stored as written in the registry
    else:
        lon, lat = point_from_wgs84(st.lon, st.lat, crs)
        coords = [round(lon, 7), round(lat, 7)]
    props = dict(cache.get(st) if cache is not None else st.properties())
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
    cache: PropertiesCache | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "FeatureCollection", "features": [hit_feature(h, crs, cache) for h in hits]}
    out["crs_id"] = crs
    if at is not None:
        out["evaluated_at"] = _iso(at)
    if warnings:
        out["warnings"] = warnings
    if extra:
        out.update(extra)
    return out

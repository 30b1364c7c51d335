"""GeoJSON output of query results (RFC 7946, [lon, lat]), shared by the CLI and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from locator.coords import point_from_wgs84
from locator.hours_zh import hours_zh
from locator.service import Hit


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment is not None else None


def hit_feature(hit: Hit, crs: str = "wgs84") -> dict[str, Any]:
    """A Feature with the registry properties plus open state, readable hours and distance."""
    st = hit.station
    lon, lat = point_from_wgs84(st.lon, st.lat, crs)
    props = st.properties()
    props["opening_hours_zh"] = hours_zh(st.opening_hours)
    props["open"] = hit.state.open
    props["next_change"] = _iso(hit.state.next_change)
    if hit.distance_m is not None:
        props["distance_m"] = round(hit.distance_m, 1)
    return {
        "type": "Feature",
        "id": st.id,
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
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

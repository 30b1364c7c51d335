"""Shared listing logic of /stations and the OGC items endpoint: filter, page, link."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from locator import params
from locator.api.deps import BBOX_PATTERN
from locator.api.moments import moment
from locator.api.responses import GEOJSON
from locator.coords import point_to_wgs84
from locator.errors import InvalidParameter
from locator.geojson import PropertiesCache, hit_feature
from locator.hours import beijing
from locator.service import Hit, Locator

Box = tuple[float, float, float, float]
_BBOX = re.compile(BBOX_PATTERN.strip("^$"), re.ASCII)


def parse_bbox(text: str | None, crs: str) -> Box | None:
    """`minlon,minlat,maxlon,maxlat` in `crs` → WGS-84 box (corners converted).

    Exactly the documented pattern is accepted. minlon > maxlon is a box crossing the antimeridian
    (OGC API – Features, /req/core/fc-bbox-response); the box returned then keeps minlon > maxlon.
    """
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidParameter("bbox", f"{text!r} must be four numbers: minlon,minlat,maxlon,maxlat")
    x0, x1 = (params.longitude(parts[i], "bbox") for i in (0, 2))
    y0, y1 = (params.latitude(parts[i], "bbox") for i in (1, 3))
    if not _BBOX.fullmatch(text):
        raise InvalidParameter("bbox", f"{text!r} must be four plain decimal numbers minlon,minlat,maxlon,maxlat")
    if y0 > y1:
        raise InvalidParameter("bbox", f"{text!r}: minlat must not exceed maxlat (minlon,minlat,maxlon,maxlat)")
    a = point_to_wgs84(x0, y0, crs)
    b = point_to_wgs84(x1, y1, crs)
    if x0 > x1:  # across the antimeridian: keep the corners' order
        return (a[0], min(a[1], b[1]), b[0], max(a[1], b[1]))
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def select(loc: Locator, box: Box | None, amenities: Sequence[str], station_type: str | None) -> list[int]:
    if box is None or box[0] <= box[2]:
        return loc.select(box, amenities=amenities, station_type=station_type)
    west = loc.select((box[0], box[1], 180.0, box[3]), amenities=amenities, station_type=station_type)
    east = loc.select((-180.0, box[1], box[2], box[3]), amenities=amenities, station_type=station_type)
    return sorted(set(west) | set(east))


def page_links(request: Request, offset: int, limit: int, matched: int, media: str) -> list[dict[str, Any]]:
    links = [{"href": str(request.url), "rel": "self", "type": media}]
    if offset + limit < matched:
        links.append(
            {"href": str(request.url.include_query_params(offset=offset + limit)), "rel": "next", "type": media}
        )
    if offset > 0:
        prev = max(offset - limit, 0)
        links.append({"href": str(request.url.include_query_params(offset=prev)), "rel": "prev", "type": media})
    return links


def listing(
    request: Request,
    loc: Locator,
    *,
    bbox: str | None,
    crs: str,
    amenities: Sequence[str] | None,
    station_type: str | None,
    limit: int,
    offset: int,
    at: str | None,
    cache: PropertiesCache | None = None,
    item_links: str | None = None,
) -> dict[str, Any]:
    """One page of stations as a FeatureCollection with OGC paging fields and links.

    `amenities`: all of them are required. `item_links`: base URL of per-item pages (OGC items),
    added to each feature as `self`.
    """
    when = moment(at)
    box = parse_bbox(bbox, crs)
    positions = select(loc, box, amenities or (), station_type)
    page = positions[offset : offset + limit]
    feats = []
    for p in page:
        st = loc.stations[p]
        feat = hit_feature(Hit(st, loc.open_state(st, when)), crs, cache)
        if item_links:
            feat["links"] = [{"href": f"{item_links}/{st.id}", "rel": "self", "type": GEOJSON}]
        feats.append(feat)
    return {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": len(positions),
        "numberReturned": len(feats),
        "timeStamp": beijing().isoformat(timespec="seconds"),
        "links": page_links(request, offset, limit, len(positions), GEOJSON),
        "evaluated_at": when.isoformat(timespec="minutes"),
    }

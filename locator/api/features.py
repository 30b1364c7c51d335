"""Shared listing logic of /stations and the OGC items endpoint: filter, page, link."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query
from starlette.requests import Request

from locator import params
from locator.api.deps import BBOX_PATTERN
from locator.api.moments import moment
from locator.api.responses import GEOJSON
from locator.coords import point_to_wgs84
from locator.errors import InvalidParameter
from locator.geojson import PropertiesCache, hit_feature
from locator.hours import beijing
from locator.paging import Matched
from locator.service import Hit, Locator

Box = tuple[float, float, float, float]
_BBOX = re.compile(BBOX_PATTERN.strip("^$"), re.ASCII)
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"
Cursor = Annotated[
    str | None,
    Query(
        description="续页游标（取自 `next` 链接，勿自行构造） · where the page starts: the opaque cursor of a `next` "
        "link (right after the last station seen, so edits between pages skip or repeat nothing); with it, "
        "`offset` only serves when the cursor's station has gone",
        max_length=2000,
        json_schema_extra={"pattern": CURSOR_PATTERN},
    ),
]


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


def encode_cursor(key: int, mark: str, station_id: str) -> str:
    """The opaque `cursor` of a `next` link: the last station's id, its order key and the base
    that key refers to (locator/paging.py)."""
    raw = json.dumps([key, mark, station_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_start(text: str, loc: Locator, matched: Matched) -> int | None:
    """Where the page after a cursor starts: right after its station's current place, or after the
    key it carries when that station is gone but the keys still mean the same (same base); None
    when neither holds (the caller falls back to `offset`)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode())
        key, mark, station_id = raw
        if not (isinstance(key, int) and isinstance(mark, str) and isinstance(station_id, str)):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        raise InvalidParameter("cursor", "is not a cursor this API issued (take it from a `next` link)") from None
    now = loc.order_key(station_id)
    if now is not None:
        return matched.start_after(now)
    return matched.start_after(key) if mark == loc.page_mark else None


def page_links(request: Request, start: int, limit: int, media: str, cursor: str | None) -> list[dict[str, Any]]:
    links = [{"href": str(request.url), "rel": "self", "type": media}]
    if cursor is not None:
        href = request.url.include_query_params(offset=start + limit, cursor=cursor)
        links.append({"href": str(href), "rel": "next", "type": media})
    if start > 0:
        prev = request.url.remove_query_params("cursor").include_query_params(offset=max(start - limit, 0))
        links.append({"href": str(prev), "rel": "prev", "type": media})
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
    cursor: str | None = None,
    cache: PropertiesCache | None = None,
    item_links: str | None = None,
) -> dict[str, Any]:
    """One page of stations as a FeatureCollection with OGC paging fields and links.

    `amenities`: all of them are required. `item_links`: base URL of per-item pages (OGC items),
    added to each feature as `self`. Pages cost the same at any offset (locator/paging.py).

    The `next` link carries a `cursor` (and the matching `offset`): the page it gives starts right
    after the last station seen, so a client paging by `next` links while the registry changes
    sees every station that exists throughout exactly once, in registry order; a station added
    meanwhile comes at the end (registry order puts it last), one deleted before it was reached
    is not seen, an edited one is seen once, as it is when its page is read; `numberMatched` is
    always the count at the moment of each page. With a `cursor`, `offset` is used only when the
    cursor's station is gone and its place cannot be known (after the server rebuilt its index).
    """
    when = moment(at)
    box = parse_bbox(bbox, crs)
    matched = loc.matching(box, amenities=amenities or (), station_type=station_type)
    start = cursor_start(cursor, loc, matched) if cursor is not None else None
    start = offset if start is None else start
    page = matched.page(start, limit)
    feats = []
    for _, st in page:
        feat = hit_feature(Hit(st, loc.open_state(st, when)), crs, cache)
        if item_links:
            feat["links"] = [{"href": f"{item_links}/{st.id}", "rel": "self", "type": GEOJSON}]
        feats.append(feat)
    more = start + len(page) < matched.count and bool(page)
    nxt = encode_cursor(page[-1][0], loc.page_mark, page[-1][1].id) if more else None
    return {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": matched.count,
        "numberReturned": len(feats),
        "timeStamp": beijing().isoformat(timespec="seconds"),
        "links": page_links(request, start, limit, GEOJSON, nxt),
        "evaluated_at": when.isoformat(timespec="minutes"),
    }

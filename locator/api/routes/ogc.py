"""OGC API – Features Part 1 (core + GeoJSON), collection `stations`.

Every endpoint declares `f` (output format; only JSON/GeoJSON here) so that OGC clients that add it
are served, while any other unknown query parameter is a 400 (/req/core/query-param-unknown).

`datetime` on the items: stations have no temporal geometry (`verified_at` says when staff last
checked a station, not when it exists), so per /req/core/fc-time-response C every station matches
any instant or interval. The parameter is still parsed by the ABNF of /req/core/fc-time-definition
(RFC 3339 date-times, `..` or empty for an open end) and a malformed one is a 400; the collection
declares no temporal extent. The open state at a moment is asked with `at`, not `datetime`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from locator.api.deps import At, Bbox, Crs, FormatGeoJson, FormatJson, Offset, current, properties_cache
from locator.api.errors import ERROR_RESPONSES, NOT_FOUND
from locator.api.features import Cursor, listing
from locator.api.moments import DATETIME_PATTERN, interval, moment
from locator.api.responses import GEOJSON, GeoJSONResponse, cached
from locator.api.schemas import CollectionOut, CollectionsOut, ConformanceOut, FeatureCollectionOut, FeatureOut
from locator.geojson import hit_feature
from locator.service import Locator

router = APIRouter(tags=["OGC API – Features"])
JSON = "application/json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ItemId = Annotated[str, Path(description="站点编号 · station id", max_length=200)]
OgcLimit = Annotated[int, Query(ge=1, le=10000, description="每页数量 · page size (1–10000)")]
Datetime = Annotated[
    str | None,
    Query(
        description="时间过滤（OGC） · OGC `datetime`: an RFC 3339 date-time or an interval `START/END` (`..` or "
        "empty = open; START ≤ END). Stations have no temporal geometry, so every station matches; the "
        "open state at a moment is `at`.",
        examples=["2026-02-28T10:00:00+08:00/.."],
        json_schema_extra={"pattern": DATETIME_PATTERN},
    ),
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def collection_doc(request: Request, loc: Locator) -> dict[str, Any]:
    base = _base(request)
    ix = loc.index
    bbox = (
        [float(ix.lon.min()), float(ix.lat.min()), float(ix.lon.max()), float(ix.lat.max())]
        if len(loc.stations)
        else [-180.0, -90.0, 180.0, 90.0]
    )
    return {
        "id": "stations",
        "title": "工会驿站 · union stations",
        "description": "工会服务站、暖心驿站、职工之家、母婴关爱室 · union service stations, warm stations, "
        "worker homes and mother-and-baby rooms",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "links": [
            {"href": f"{base}/collections/stations", "rel": "self", "type": JSON},
            {"href": f"{base}/collections/stations/items", "rel": "items", "type": GEOJSON},
        ],
    }


@router.get("/conformance", summary="符合的标准 · conformance classes", response_model=ConformanceOut)
async def conformance(f: FormatJson = None) -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


@router.get("/collections", summary="数据集 · collections", response_model=CollectionsOut)
async def collections(request: Request, f: FormatJson = None) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": JSON}],
        "collections": [collection_doc(request, current(request))],
    }


@router.get("/collections/stations", summary="站点数据集 · the stations collection", response_model=CollectionOut)
async def stations_collection(request: Request, f: FormatJson = None) -> dict[str, Any]:
    return collection_doc(request, current(request))


@router.get(
    "/collections/stations/items",
    summary="站点要素 · station features",
    responses={200: {"model": FeatureCollectionOut}, **ERROR_RESPONSES},
    response_class=GeoJSONResponse,
)
async def items(
    request: Request,
    bbox: Bbox = None,
    limit: OgcLimit = 10,
    offset: Offset = 0,
    cursor: Cursor = None,
    crs: Crs = "wgs84",
    at: At = None,
    datetime: Datetime = None,
    f: FormatGeoJson = None,
) -> Response:
    loc = current(request)
    interval(datetime)  # checked; every station matches (see the module docstring)
    items_url = f"{_base(request)}/collections/stations/items"
    doc = listing(
        request, loc, bbox=bbox, crs=crs, amenities=None, station_type=None, limit=limit, offset=offset, at=at,
        cursor=cursor, cache=properties_cache(loc), item_links=items_url,
    )  # fmt: skip
    return cached(request, doc, loc.registry.version, max_age=300 if at else 30)


@router.get(
    "/collections/stations/items/{item_id}",
    summary="单个站点要素 · one station feature",
    responses={200: {"model": FeatureOut}, **ERROR_RESPONSES, **NOT_FOUND},
    response_class=GeoJSONResponse,
)
async def item(
    request: Request, item_id: ItemId, crs: Crs = "wgs84", at: At = None, f: FormatGeoJson = None
) -> Response:
    loc = current(request)
    feat = hit_feature(loc.station(item_id, moment(at)), crs, properties_cache(loc))
    base = _base(request)
    feat["links"] = [
        {"href": f"{base}/collections/stations/items/{item_id}", "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/stations", "rel": "collection", "type": JSON},
    ]
    return cached(request, feat, loc.registry.version, max_age=300 if at else 30)

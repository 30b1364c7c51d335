"""GET /stations and /stations/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from locator.api.deps import Amenities, At, Bbox, Crs, Limit, Offset, StationType, current, properties_cache
from locator.api.errors import ERROR_RESPONSES, NOT_FOUND
from locator.api.features import Cursor, listing
from locator.api.moments import moment
from locator.api.responses import GeoJSONResponse, cached
from locator.api.schemas import FeatureCollectionOut, FeatureOut
from locator.geojson import hit_feature

router = APIRouter(tags=["stations"])
StationId = Annotated[str, Path(description="站点编号 · station id", max_length=200)]


@router.get(
    "/stations",
    summary="站点列表 · list stations",
    description="按范围、类型、设施筛选站点，分页返回（不含已永久关闭的站点）；`amenity` 可重复，需全部具备。"
    "· Stations in a bbox, filtered by type and amenity (repeat `amenity` for several: all are required, as "
    "in /nearest), paged with limit/offset; stations closed for good are left out.",
    responses={200: {"model": FeatureCollectionOut}, **ERROR_RESPONSES},
    response_class=GeoJSONResponse,
)
async def stations(
    request: Request,
    bbox: Bbox = None,
    type: StationType = None,
    amenity: Amenities = None,
    limit: Limit = 100,
    offset: Offset = 0,
    cursor: Cursor = None,
    crs: Crs = "wgs84",
    at: At = None,
) -> Response:
    loc = current(request)
    doc = listing(
        request, loc, bbox=bbox, crs=crs, amenities=amenity, station_type=type, limit=limit, offset=offset, at=at,
        cursor=cursor, cache=properties_cache(loc),
    )  # fmt: skip
    return cached(request, doc, loc.registry.version, max_age=300 if at else 30)


@router.get(
    "/stations/{station_id}",
    summary="单个站点 · one station",
    description="按编号取站点（含已关闭站点的历史记录）。· One station by id, including closed ones (history).",
    responses={200: {"model": FeatureOut}, **ERROR_RESPONSES, **NOT_FOUND},
    response_class=GeoJSONResponse,
)
async def station(request: Request, station_id: StationId, crs: Crs = "wgs84", at: At = None) -> Response:
    loc = current(request)
    hit = loc.station(station_id, moment(at))
    return cached(
        request, hit_feature(hit, crs, properties_cache(loc)), loc.registry.version, max_age=300 if at else 30
    )

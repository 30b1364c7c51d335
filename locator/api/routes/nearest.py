"""GET /nearest — the k nearest stations to a point."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from locator.api.deps import Amenities, At, Crs, K, Lat, Lon, MaxDistance, OpenNow, StationType, current
from locator.api.errors import ERROR_RESPONSES
from locator.api.responses import GeoJSONResponse, cached
from locator.api.schemas import FeatureCollectionOut
from locator.geojson import feature_collection

router = APIRouter()


@router.get(
    "/nearest",
    summary="最近的站点 · nearest stations",
    description="按球面距离排序的最近站点（GeoJSON）。· The k nearest stations by great-circle distance, nearest "
    "first, with `distance_m`, the open state at `at` (`open`: true/false/null) and `next_change`.",
    responses={200: {"model": FeatureCollectionOut}, **ERROR_RESPONSES},
    response_class=GeoJSONResponse,
    tags=["stations"],
)
async def nearest(
    request: Request,
    lat: Lat,
    lon: Lon,
    k: K = 5,
    crs: Crs = "wgs84",
    amenity: Amenities = None,
    type: StationType = None,
    open_now: OpenNow = False,
    at: At = None,
    max_distance_m: MaxDistance = None,
) -> Response:
    loc = current(request)
    result = loc.nearest(
        lat,
        lon,
        k=k,
        crs=crs,
        amenities=amenity or (),
        station_type=type,
        open_now=open_now,
        at=at,
        max_distance_m=max_distance_m,
    )
    doc = feature_collection(result.hits, crs, at=result.at, warnings=result.warnings)
    return cached(request, doc, loc.registry.version, max_age=300 if at else 30)

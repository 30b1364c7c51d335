"""GET /nearest — the k nearest stations to a point.

The hot endpoint: other apps call it many times a second. It is *served* by a plain Starlette
route (`fast_routes`, put first by create_app), which skips FastAPI's per-request dependency
solving (~25 µs) and per-parameter resolution (~75 µs; see api/queries.py); the FastAPI route
below has the same handler and only documents it in /openapi.json.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.routing import Route

from locator.api.deps import current
from locator.api.errors import ERROR_RESPONSES
from locator.api.moments import moment
from locator.api.queries import NearestQuery, openapi_parameters, parse_query
from locator.api.responses import GeoJSONResponse, cached
from locator.api.schemas import FeatureCollectionOut
from locator.geojson import feature_collection

router = APIRouter()


@router.get(
    "/nearest",
    summary="最近的站点 · nearest stations",
    description="按球面距离排序的最近站点（GeoJSON）。 · The k nearest stations by great-circle distance, nearest "
    "first, with `distance_m`, the open state at `at` (`open`: true/false/null) and `next_change`.",
    responses={200: {"model": FeatureCollectionOut}, **ERROR_RESPONSES},
    response_class=GeoJSONResponse,
    openapi_extra={"parameters": openapi_parameters(NearestQuery)},
    tags=["stations"],
)
async def nearest(request: Request) -> Response:
    q = parse_query(NearestQuery, request)
    loc = current(request)
    result = loc.nearest(
        q.lat,
        q.lon,
        k=q.k,
        crs=q.crs,
        amenities=q.amenity or (),
        station_type=q.type,
        open_now=q.open_now,
        at=moment(q.at) if q.at is not None else None,
        max_distance_m=q.max_distance_m,
    )
    doc = feature_collection(result.hits, q.crs, at=result.at, warnings=result.warnings)
    return cached(request, doc, loc.registry.version, max_age=300 if q.at else 30)


fast_routes = [Route("/nearest", nearest, methods=["GET", "HEAD"])]

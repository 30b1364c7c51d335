"""Query parameters shared by the routes, documented in Chinese and English for /docs.

Types are declared so OpenAPI is exact (/nearest has its own model: api/queries.py); range and
vocabulary checks that need the core's messages happen in locator.params.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal
from weakref import WeakKeyDictionary

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from locator.api.holder import LocatorHolder
from locator.errors import InvalidParameter
from locator.geojson import PropertiesCache
from locator.model import AmenityId, TypeId
from locator.service import Locator

CrsId = Literal["wgs84", "gcj02", "bd09"]

# descriptions shared with the /nearest query model (api/queries.py)
CRS_DOC = (
    "坐标系 · coordinate system of input points, bbox and output geometry: "
    "`wgs84` (GPS), `gcj02` (高德/腾讯 Amap/Tencent), `bd09` (百度 Baidu)"
)
AT_DOC = (
    "评估时刻（RFC 3339，无时区按北京时间） · moment evaluated: an RFC 3339 date-time "
    "(`2026-02-28T10:00:00+08:00`; the shorter ISO 8601 `2026-02-28T10:00` = Beijing time is accepted too); "
    "years 2000–2099; default now"
)
AT_EXAMPLE = "2026-02-28T10:00:00+08:00"
# the years params.moment accepts (2000–2099, as written), stated so clients and schemathesis know
DATE_TIME: Final[dict[str, Any]] = {"format": "date-time", "pattern": "^20[0-9]{2}-"}
AMENITY_DOC = "设施（可重复，需全部具备） · required amenity; repeat for several (all required)"
# lon -180..180 and lat -90..90 as plain decimals, four of them
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)"
BBOX_PATTERN: Final = f"^{_LON},{_LAT},{_LON},{_LAT}$"
BBOX_DOC = (
    "范围 · bounding box `minlon,minlat,maxlon,maxlat` in `crs` (decimal degrees); minlat ≤ maxlat; "
    "minlon > maxlon is a box that crosses the antimeridian (OGC API – Features)"
)

Crs = Annotated[CrsId, Query(description=CRS_DOC)]
Amenities = Annotated[list[AmenityId] | None, Query(description=AMENITY_DOC)]
StationType = Annotated[TypeId | None, Query(description="站点类型 · station type id")]
At = Annotated[str | None, Query(description=AT_DOC, examples=[AT_EXAMPLE], json_schema_extra=DATE_TIME)]
Bbox = Annotated[
    str | None,
    Query(description=BBOX_DOC, examples=["116.30,39.88,116.45,39.98"], json_schema_extra={"pattern": BBOX_PATTERN}),
]
FormatJson = Annotated[Literal["json"] | None, Query(description="输出格式 · output format (JSON only)")]
FormatGeoJson = Annotated[
    Literal["json", "geojson"] | None, Query(description="输出格式 · output format (GeoJSON only)")
]
Limit = Annotated[int, Query(ge=1, le=10000, description="每页数量 · page size (1–10000)")]
Offset = Annotated[int, Query(ge=0, le=100_000_000, description="偏移 · items to skip")]


def current(request: Request) -> Locator:
    holder: LocatorHolder = request.app.state.holder
    return holder.current


_PROPERTIES: WeakKeyDictionary[Locator, PropertiesCache] = WeakKeyDictionary()


def properties_cache(loc: Locator) -> PropertiesCache:
    """The feature-properties cache of this Locator; it goes when a reload drops the Locator."""
    cache = _PROPERTIES.get(loc)
    if cache is None:
        cache = _PROPERTIES[loc] = PropertiesCache()
    return cache


def _query_names(request: Request, route: APIRoute) -> frozenset[str]:
    """Query parameters the route declares, worked out once per route of this app."""
    per_app: dict[str, frozenset[str]] = request.app.state.query_names  # set by create_app
    names = per_app.get(route.unique_id)
    if names is None:
        declared: set[str] = set()
        todo: list[Dependant] = [route.dependant]
        while todo:
            dep = todo.pop()
            declared |= {p.alias for p in dep.query_params}
            todo.extend(dep.dependencies)
        extra = (route.openapi_extra or {}).get("parameters", ())
        declared |= {p["name"] for p in extra if p.get("in") == "query"}
        names = per_app[route.unique_id] = frozenset(declared)
    return names


async def reject_unknown_query(request: Request) -> None:
    """OGC /req/core/query-param-unknown: a query parameter the endpoint does not declare → 400 naming it.

    Applied to every API route (create_app); /nearest's fast route checks the same through its
    query model (`extra="forbid"`).
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known = _query_names(request, route)
    for name in request.query_params:
        if name not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise InvalidParameter(name, f"unknown query parameter (this endpoint takes: {allowed})")

"""Query parameters shared by the routes, documented in Chinese and English for /docs.

Types are declared so OpenAPI is exact (/nearest has its own model: api/queries.py); range and
vocabulary checks that need the core's messages happen in locator.params.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request

from locator.api.holder import LocatorHolder
from locator.model import AmenityId, TypeId
from locator.service import Locator

CrsId = Literal["wgs84", "gcj02", "bd09"]

# descriptions shared with the /nearest query model (api/queries.py)
CRS_DOC = (
    "坐标系 · coordinate system of input points, bbox and output geometry: "
    "`wgs84` (GPS), `gcj02` (高德/腾讯 Amap/Tencent), `bd09` (百度 Baidu)"
)
AT_DOC = "评估时刻（ISO 8601，无时区按北京时间） · moment evaluated (ISO 8601; no offset = Beijing time); default now"
AT_EXAMPLE = "2026-02-28T10:00+08:00"

Crs = Annotated[CrsId, Query(description=CRS_DOC)]
Amenity1 = Annotated[AmenityId | None, Query(description="设施 · required amenity id")]
StationType = Annotated[TypeId | None, Query(description="站点类型 · station type id")]
At = Annotated[str | None, Query(description=AT_DOC, examples=[AT_EXAMPLE])]
Bbox = Annotated[
    str | None,
    Query(
        description="范围 · bounding box `minlon,minlat,maxlon,maxlat` in `crs`",
        examples=["116.30,39.88,116.45,39.98"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=10000, description="每页数量 · page size (1–10000)")]
Offset = Annotated[int, Query(ge=0, le=100_000_000, description="偏移 · items to skip")]


def current(request: Request) -> Locator:
    holder: LocatorHolder = request.app.state.holder
    return holder.current

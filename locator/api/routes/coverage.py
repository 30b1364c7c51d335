"""Coverage for planners: GET /coverage (the contract's JSON), /coverage/hours (the covered share
hour by hour on a workday, a Saturday and a statutory holiday) and /coverage/uncovered (GeoJSON of
the areas out of reach), the last two for the planners' page /maps/coverage.html.

The handlers are plain functions: FastAPI runs them in its thread pool, so a computation of a
few seconds on a large registry never holds up the event loop. Bodies are cached by the client
per registry version (ETag) like every other answer. The core (shapely, pyproj) is imported on
the first request, so the API starts as fast as before.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from locator.api.deps import Amenities, At, StationType, current
from locator.api.errors import ERROR_RESPONSES
from locator.api.moments import moment
from locator.api.responses import GEOJSON, cached
from locator.api.schemas import _Open

router = APIRouter()
JSON: Final = "application/json"
MAX_RADIUS_M: Final = 50_000.0

Radius = Annotated[
    float,
    Query(gt=0, le=MAX_RADIUS_M, description="覆盖半径（米，球面距离） · reach of a station in metres (0 < r ≤ 50000)"),
]
OpenNow = Annotated[
    bool, Query(description="仅计此刻开放的站点 · only stations open at `at` cover (default: every matching station)")
]


class DistrictCoverageOut(BaseModel):
    name: str = Field(description='区名 · district ("全部" = all districts)', examples=["西城区"])
    stations: int = Field(ge=0, description="区界内的站点数 · stations inside the district's boundary")
    open: int = Field(ge=0, description="此刻开放 · of them, open at `at`")
    covered_share: float = Field(ge=0, le=1, description="覆盖面积占比 · share of the area within the radius")


class CoverageOut(_Open):
    at: str = Field(description="评估时刻（北京时间） · the moment evaluated, ISO 8601 Beijing time")
    radius_m: float
    districts: list[DistrictCoverageOut]
    outside: int = Field(ge=0, description="不在任何区界内的站点 · stations in no district's boundary")
    total: DistrictCoverageOut | None = None


class HoursOut(_Open):
    radius_m: float
    days: dict[str, str] = Field(description="日类型 → 日期 · day kind (workday, saturday, holiday) → the date used")
    districts: dict[str, dict[str, list[float]]] = Field(
        description="区 → 日类型 → 24 个整点的覆盖面积占比 · district → day kind → covered share at 00:00 … 23:00"
    )


class UncoveredOut(_Open):
    type: Literal["FeatureCollection"]
    features: list[dict[str, object]]


@router.get(
    "/coverage",
    summary="各区覆盖率 · coverage by district",
    description="每个区：区界内的站点数、`at` 时刻开放的站点数，以及距任一符合条件的站点 `radius` 米以内的面积占比"
    "（跨区的站点也算）。 · Per district: stations inside its boundary, stations open at `at`, and the share "
    "of its area within `radius` metres of any matching station (wherever it is; open at `at` with `open_now`).",
    responses={200: {"model": CoverageOut}, **ERROR_RESPONSES},
    tags=["coverage"],
)
def coverage_by_district(
    request: Request,
    at: At = None,
    radius: Radius = 1000.0,
    amenity: Amenities = None,
    type: StationType = None,
    open_now: OpenNow = False,
) -> Response:
    from locator.coverage.compute import coverage
    from locator.coverage.districts import load_districts

    loc = current(request)
    when = moment(at)
    report = coverage(
        loc, load_districts(), at=when, radius_m=radius, amenities=amenity or (), station_type=type, open_now=open_now
    )
    return cached(request, report.to_json(), loc.registry.version, max_age=300 if at else 30, media_type=JSON)


@router.get(
    "/coverage/hours",
    summary="逐时覆盖率 · covered share hour by hour",
    description="每个区在工作日、周六和法定节假日（按节假日表）每个整点的覆盖面积占比，只计该时刻开放的站点。 · "
    "Per district, the covered share at every hour of a workday, a Saturday and a statutory holiday (the "
    "holiday table decides), counting the stations open at that hour.",
    responses={200: {"model": HoursOut}, **ERROR_RESPONSES},
    tags=["coverage"],
)
def coverage_hours(
    request: Request, radius: Radius = 1000.0, amenity: Amenities = None, type: StationType = None
) -> Response:
    from locator.coverage.districts import load_districts
    from locator.coverage.hourly import hour_curve

    loc = current(request)
    curve = hour_curve(loc, load_districts(), radius_m=radius, amenities=amenity or (), station_type=type)
    return cached(request, curve.to_json(), loc.registry.version, max_age=300, media_type=JSON)


@router.get(
    "/coverage/uncovered",
    summary="未覆盖区域 · areas out of reach",
    description="每个区中距任一符合条件的站点超过 `radius` 米的区域（GeoJSON，WGS-84，已简化）。 · The part of "
    "each district farther than `radius` metres from any matching station (GeoJSON, WGS-84, simplified).",
    responses={200: {"model": UncoveredOut, "content": {GEOJSON: {}}}, **ERROR_RESPONSES},
    tags=["coverage"],
)
def coverage_uncovered(
    request: Request,
    at: At = None,
    radius: Radius = 1000.0,
    amenity: Amenities = None,
    type: StationType = None,
    open_now: OpenNow = False,
) -> Response:
    from locator.coverage.districts import load_districts
    from locator.coverage.uncovered import uncovered

    loc = current(request)
    doc = uncovered(
        loc,
        load_districts(),
        at=moment(at),
        radius_m=radius,
        amenities=amenity or (),
        station_type=type,
        open_now=open_now,
    )
    return cached(request, doc, loc.registry.version, max_age=300 if at else 30)

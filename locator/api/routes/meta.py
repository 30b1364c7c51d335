"""Landing page (OGC + front door) and /healthz."""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from locator.api.holder import LocatorHolder
from locator.api.responses import JSONBody
from locator.api.schemas import HealthOut, LandingOut
from locator.hours import beijing

router = APIRouter()
JSON = "application/json"


def _wants_html(request: Request, f: str | None) -> bool:
    if f is not None:
        return f == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept


@router.get(
    "/",
    summary="入口 · landing page",
    description="OGC API 入口（JSON）；浏览器请求 HTML 时转到站点地图。· OGC API landing page as JSON "
    "(`Accept: application/json` or `?f=json`); a browser asking for HTML is redirected to the map.",
    response_model=LandingOut,
    responses={307: {"description": "浏览器：转到地图 · browser: redirect to the map"}},
    tags=["OGC API – Features"],
)
async def landing(
    request: Request,
    f: Annotated[Literal["json", "html"] | None, Query(description="输出格式 · output format")] = None,
) -> Any:
    if _wants_html(request, f):
        maps = request.app.state.settings.maps_dir
        target = "/maps/" if (maps / "index.html").exists() else "/docs"
        return RedirectResponse(target, status_code=307)
    base = str(request.base_url).rstrip("/")
    return {
        "title": "暖心驿站地图 · Warm Station Locator",
        "description": "北京工会驿站的开放数据与最近站点查询 · open registry of Beijing union stations and a "
        "nearest-station API",
        "links": [
            {"href": f"{base}/", "rel": "self", "type": JSON, "title": "this document"},
            {
                "href": f"{base}/openapi.json",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
            },
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": JSON},
            {"href": f"{base}/collections", "rel": "data", "type": JSON},
            {"href": f"{base}/maps/", "rel": "alternate", "type": "text/html", "title": "站点地图 · station map"},
        ],
    }


@router.get(
    "/healthz",
    summary="运行状态 · health",
    description="注册表版本、变更序号、站点数、节假日数据覆盖年份、最近一次重载错误。· Registry version, served "
    "change sequence (`seq`), station count, holiday-data coverage, the last reload error, if any, and the worker "
    "process that answered.",
    response_model=HealthOut,
    tags=["meta"],
)
async def healthz(request: Request) -> Response:
    holder: LocatorHolder = request.app.state.holder
    loc = holder.current
    cal = loc.calendar
    cov = cal.coverage()
    now = beijing()
    err = holder.last_error
    body = {
        "status": "ok" if err is None else "degraded",
        "worker": os.getpid(),  # which worker process answered (`serve --workers N`)
        "registry": {
            "path": str(holder.registry_path),
            "version": loc.registry.version,
            "seq": loc.seq,  # the store's change sequence served (0 for a GeoJSON file)
            "stations": len(loc.stations),
            "searchable": len(loc.index),
            "loaded_at": holder.loaded_at.isoformat(timespec="seconds"),
        },
        "holidays": {
            "path": str(holder.holidays_path),
            "first_year": cov[0] if cov else None,
            "last_year": cov[1] if cov else None,
            "covers_this_year": cal.covers(now.year),
            "covers_next_year": cal.covers(now.year + 1),
        },
        "last_reload_error": None
        if err is None
        else {"at": err.at.isoformat(timespec="seconds"), "message": err.message, "problems": err.problems},
    }
    return JSONBody(body, headers={"Cache-Control": "no-store"})

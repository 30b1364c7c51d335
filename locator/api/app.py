"""create_app(settings) → FastAPI. Nothing is created at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from locator import __version__
from locator.api.deps import reject_unknown_query
from locator.api.errors import add_exception_handlers
from locator.api.holder import LocatorHolder
from locator.api.memory import pin_mmap_threshold
from locator.api.middleware import HeadAsGet, PublicOrigin, SecurityHeaders
from locator.api.routes import changes, coverage, meta, nearest, ogc, stations
from locator.api.settings import ApiSettings
from locator.api.static import MapFiles

DESCRIPTION = """
北京工会驿站（工会服务站、暖心驿站、职工之家、母婴关爱室）的最近站点查询与开放数据。
坐标参数 `crs` 支持 `wgs84`、`gcj02`（高德）和 `bd09`（百度）；开放状态按北京时间和中国法定节假日（含调休）计算。

Nearest-station queries and open data for Beijing's trade-union stations. Every endpoint that takes or returns
points has a `crs` parameter (`wgs84`, `gcj02` for Amap/Tencent, `bd09` for Baidu). Open states are evaluated in
Beijing time with Chinese statutory holidays and make-up workdays. Errors are JSON bodies naming the parameter.
"""


def create_app(settings: ApiSettings, holder: LocatorHolder | None = None) -> FastAPI:
    pin_mmap_threshold()  # before the registry's arrays are allocated (api/memory.py)
    holder = holder or LocatorHolder(settings.registry, settings.holidays)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.reload_interval_s > 0:
            holder.start(settings.reload_interval_s)
        try:
            yield
        finally:
            holder.stop()

    switch = settings.telemetry
    telemetry = {"tracing": switch, "metrics": switch, "logs": switch, "operation_spans": switch}
    app = FastAPI(
        title=settings.title,
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=telemetry,  # type: ignore[arg-type]
        dependencies=[Depends(reject_unknown_query)],  # OGC: unknown query parameters are a 400
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.query_names = {}  # route id → declared query parameters (deps.reject_unknown_query)
    add_exception_handlers(app)
    for router in (nearest.router, meta.router, stations.router, ogc.router, changes.router, coverage.router):
        app.include_router(router)
    app.router.routes[0:0] = nearest.fast_routes  # served first; the APIRoute documents it
    settings.maps_dir.mkdir(parents=True, exist_ok=True)  # maps are built into it (`locator build-maps`)
    app.mount("/maps", MapFiles(directory=settings.maps_dir, html=True, check_dir=False), name="maps")
    # No GZipMiddleware: it wraps every response (~40 µs here) even when the client does not ask for
    # gzip; GeoJSON endpoints compress in `responses.cached`.
    app.add_middleware(SecurityHeaders)  # also CORS: open for GET (see middleware.py)
    app.add_middleware(PublicOrigin, public_url=settings.public_url)
    app.add_middleware(HeadAsGet)
    _document_400_not_422(app)
    return app


ERROR_REF = "#/components/schemas/ErrorBody"


def _document_400_not_422(app: FastAPI) -> None:
    """FastAPI documents 422 for validation errors; ours answer 400 with ErrorBody instead."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            for path in spec.get("paths", {}).values():
                for op in path.values():
                    responses = op.get("responses", {})
                    if responses.pop("422", None) is not None and "400" not in responses:
                        responses["400"] = {"description": "参数错误 · a parameter is invalid (the body names it)"}
                    for code, resp in responses.items():
                        if code in ("400", "404"):  # error bodies are always application/json
                            resp["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
                        for media in resp.get("content", {}).values():
                            if "$ref" in media.get("schema", {}):
                                media["schema"].pop("type", None)
            schemas = spec.get("components", {}).get("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

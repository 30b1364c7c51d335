"""One table maps domain errors to HTTP status codes; every 4xx body names the parameter.

Body: {"code": "...", "parameter": "lat", "description": "91 is out of range …"}.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from locator.errors import InvalidParameter, LocatorError, StationNotFound

log = logging.getLogger("locator.api")

STATUS: Final[dict[type[LocatorError], tuple[int, str]]] = {
    InvalidParameter: (400, "invalid_parameter"),
    StationNotFound: (404, "not_found"),
}


class ErrorBody(BaseModel):
    """Error response: which parameter is wrong and why."""

    code: str
    parameter: str | None = None
    description: str


class ApiError(Exception):
    """An HTTP-level refusal (401, 403, 409, 412, 429, 503…) with the usual error body; raise it
    from a route or dependency. Domain errors (locator.errors) are mapped through STATUS instead."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description
        self.parameter, self.headers = parameter, headers


def error_response(
    status: int, code: str, description: str, parameter: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = {"code": code, "parameter": parameter, "description": description}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def validation_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "literal_error" or kind == "enum":
        return f"{value!r} is not allowed (allowed: {str(ctx.get('expected', '')).replace(chr(39), '')})"
    if kind == "missing":
        return "required parameter is missing"
    if kind == "extra_forbidden":
        return "unknown query parameter (see /openapi.json for the parameters of this endpoint)"
    if kind in ("int_parsing", "float_parsing", "int_from_float"):
        return f"{value!r} is not a {'whole number' if kind.startswith('int') else 'number'}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{value!r} is out of range ({err.get('msg', '')})"
    return f"{value!r}: {err.get('msg', 'invalid')}"


def allow_header(route_methods: str | None) -> str:
    """`Allow` of a 405: the route's methods, plus HEAD wherever GET is (middleware.HeadAsGet)."""
    methods = [m.strip().upper() for m in (route_methods or "GET").split(",") if m.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(sorted(methods))


def add_exception_handlers(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> Response:
        for cls, (status, code) in STATUS.items():
            if isinstance(exc, cls):
                param = exc.name if isinstance(exc, InvalidParameter) else "id"
                reason = exc.reason if isinstance(exc, InvalidParameter) else str(exc)
                return error_response(status, code, reason, param)
        return error_response(400, "bad_request", str(exc))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        err = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        param = loc[0] if loc else None
        return error_response(400, "invalid_parameter", validation_message(dict(err)), param)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allow_header(headers.get("Allow") or headers.get("allow"))
            headers.pop("allow", None)
        return error_response(exc.status_code, "http_error", str(exc.detail), headers=headers or None)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.description, exc.parameter, exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "server_error", "internal error; it has been logged")

    app.add_exception_handler(LocatorError, domain_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": ErrorBody, "description": "参数错误 · a parameter is invalid (the body names it)"},
}
NOT_FOUND: Final[dict[int | str, dict[str, Any]]] = {
    404: {"model": ErrorBody, "description": "没有该站点 · no station with this id"},
}

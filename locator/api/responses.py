"""Response helpers: orjson bodies, GeoJSON media type, ETag / Cache-Control from the registry version."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

GEOJSON = "application/geo+json"
GZIP_MIN = 1000


class GeoJSONResponse(Response):
    media_type = GEOJSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class JSONBody(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def cached(
    request: Request, content: Any, version: str, max_age: int, media_type: str = GEOJSON, status: int = 200
) -> Response:
    """Serialise once; ETag = registry version + body checksum (a changed registry changes it).

    Open states depend on the clock, so the checksum is part of the tag and lifetimes are short.
    """
    body = orjson.dumps(content)
    etag = f'W/"{version}-{zlib.crc32(body):08x}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    inm = request.headers.get("if-none-match")
    if inm is not None and etag in {t.strip() for t in inm.split(",")}:
        return Response(status_code=304, headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if len(body) >= GZIP_MIN and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=5, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, media_type=media_type, headers=headers)

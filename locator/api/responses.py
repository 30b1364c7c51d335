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


def accepts_gzip(header: str | None) -> bool:
    """Whether an `Accept-Encoding` value allows gzip (RFC 9110 §12.5.3, q-values included).

    `gzip;q=0` refuses it; an explicit `gzip` entry wins over `*`; `x-gzip` is gzip's old name.
    A malformed q-value counts as 0 (the coding is not acceptable).
    """
    if not header:
        return False
    star: float | None = None
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q
    return star is not None and star > 0


def cached(
    request: Request, content: Any, version: str, max_age: int, media_type: str = GEOJSON, status: int = 200
) -> Response:
    """Serialise once; ETag = registry version + body checksum (a changed registry changes it).

    Open states depend on the clock, so the checksum is part of the tag and lifetimes are short.
    A 304 carries the same ETag, Cache-Control and Vary as the 200 it stands for (RFC 9110 §15.4.5).
    """
    body = orjson.dumps(content)
    etag = f'W/"{version}-{zlib.crc32(body):08x}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Encoding"}
    inm = request.headers.get("if-none-match")
    if inm is not None and (inm.strip() == "*" or etag in {t.strip() for t in inm.split(",")}):
        return Response(status_code=304, headers=headers)
    if len(body) >= GZIP_MIN and accepts_gzip(request.headers.get("accept-encoding")):
        body = gzip.compress(body, compresslevel=5, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, media_type=media_type, headers=headers)

"""Security and CORS headers on every response (pure ASGI: no per-request task overhead).

The map pages get a Content-Security-Policy that allows only our own scripts and styles and the
tile hosts; everything gets `X-Content-Type-Options: nosniff`.

CORS: the API is public and read-only, so every response carries `Access-Control-Allow-Origin: *`
and preflight requests are answered here. Starlette's CORSMiddleware would do the same for ~10 µs
more per request on the hot path; nothing here depends on credentials or per-origin rules.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TILE_HOSTS: Final = (
    "https://webrd01.is.autonavi.com",
    "https://webrd02.is.autonavi.com",
    "https://webrd03.is.autonavi.com",
    "https://webrd04.is.autonavi.com",
    "https://tile.openstreetmap.org",
    "https://*.tile.openstreetmap.org",
    "https://*.tianditu.gov.cn",
)
MAP_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    f"img-src 'self' data: {' '.join(TILE_HOSTS)}; connect-src 'self'; font-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
_COMMON: Final = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag"),
]
_PREFLIGHT: Final = [
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and any(k == b"access-control-request-method" for k, _ in scope["headers"]):
            asked = next((v for k, v in scope["headers"] if k == b"access-control-request-headers"), b"")
            headers = [*_COMMON, *_PREFLIGHT] + ([(b"access-control-allow-headers", asked)] if asked else [])
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        path: str = scope.get("path", "")
        if path.startswith("/maps"):
            extra = [(b"content-security-policy", MAP_CSP.encode())]
        elif path.startswith("/docs") or path.startswith("/redoc"):
            extra = []  # the interactive docs page loads its own UI assets
        else:
            extra = [(b"content-security-policy", API_CSP.encode())]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_COMMON)
                headers.extend(extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD is answered wherever GET is (RFC 9110 §9.3.2): FastAPI routes register GET only.

    The request runs as GET; the headers (Content-Length, ETag, …) go out and the body does not.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)


class PublicOrigin:
    """Requests are seen as addressed to the configured public origin (ApiSettings.public_url).

    Links and redirects (OGC `links`, paging, `/maps` → `/maps/`, trailing-slash redirects) are
    built by Starlette from the Host header and the scheme; a client can send any Host, so both
    are replaced here before the app sees them.
    """

    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        scheme, _, netloc = public_url.partition("://")
        self.scheme = scheme
        self.host = netloc.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            headers.append((b"host", self.host))
            scope = dict(scope, headers=headers, scheme=self.scheme)
        await self.app(scope, receive, send)

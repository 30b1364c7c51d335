"""Static map files: pre-compressed twins and cache lifetimes.

Files under `assets/` have content-hashed names, so they are cached for a year (`immutable`);
pages revalidate every time. When the client accepts gzip and `NAME.gz` exists beside `NAME`,
the compressed twin is sent (built once by `locator build-maps`, not per request); `gzip;q=0`
gets the plain file. Every answer but an error, 304 included, carries Vary and Cache-Control.
"""

from __future__ import annotations

import mimetypes
import stat

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from locator.api.responses import accepts_gzip

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class MapFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response: Response | None = None
        request_headers = Headers(scope=scope)
        if accepts_gzip(request_headers.get("accept-encoding")) and not path.endswith(".gz"):
            full, st = self.lookup_path(path + ".gz")
            if st is not None and stat.S_ISREG(st.st_mode):
                media = mimetypes.guess_type(path)[0] or "application/octet-stream"
                response = FileResponse(full, stat_result=st, media_type=media)
                response.headers["content-encoding"] = "gzip"
                if self.is_not_modified(response.headers, request_headers):
                    response = NotModifiedResponse(response.headers)
        if response is None:
            response = await super().get_response(path, scope)
        if response.status_code < 400:
            response.headers["vary"] = "Accept-Encoding"
            immutable = path.replace("\\", "/").startswith("assets/")
            response.headers["cache-control"] = IMMUTABLE if immutable else REVALIDATE
        return response

"""uvicorn's httptools protocol with a request-header timeout.

uvicorn (0.54) arms `timeout_keep_alive` only after a response, and cancels it as soon as any byte
arrives: a client that opens a connection and sends half a request line, or nothing at all, holds
it forever (slowloris). Here a timer starts when the connection opens and again when a request
begins; it is cancelled once the request's headers are complete. When it fires, the client gets
`408 Request Timeout` and the connection is closed. The limit is `locator serve --header-timeout`
(`LOCATOR_HEADER_TIMEOUT`, default 10 s; `serve` binds it with functools.partial); request bodies
are not bounded here (every endpoint is GET).
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from locator.settings import DEFAULT_HEADER_TIMEOUT_S

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 33\r\nconnection: close\r\n\r\nrequest headers were not complete"
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s = header_timeout_s
        self._header_timer: TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout_s > 0:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:  # never inside another response
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

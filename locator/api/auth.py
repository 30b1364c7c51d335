"""Who is writing: staff sign in with `Authorization: Bearer TOKEN` (tokens from `locator user add`).

The token travels in a header, never in a cookie, so a page of another site cannot make a
signed-in browser write (no CSRF). The store keeps only the token's SHA-256 and finds the user by
an indexed lookup of it. That lookup is safe against timing attacks without a separate
constant-time compare: what is compared is a digest the client cannot steer byte by byte (to
learn a prefix of a stored digest tells nothing about a token). Failed attempts are counted per client
address: after `MAX_FAILURES` within `WINDOW_S` that address gets 429 (with Retry-After) until the
window has passed, whatever token it sends, so tokens cannot be guessed at speed. Behind a
reverse proxy the client address is the proxy's unless uvicorn is told to trust it
(`--forwarded-allow-ips`), which `locator serve` does for 127.0.0.1.

Roles: `editor` may change stations and handle reports; `admin` may also manage users.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from locator.api.errors import ApiError
from locator.store.base import Role, Store, User
from locator.store.tokens import token_hash

MAX_FAILURES: Final = 10
WINDOW_S: Final = 300.0
MAX_CLIENTS: Final = 10_000  # addresses remembered; the oldest are forgotten first
RANK: Final[dict[str, int]] = {"editor": 1, "admin": 2}

bearer = HTTPBearer(auto_error=False, description="员工令牌 · a staff token from `locator user add`")


class Attempts:
    """Failed sign-ins per client address in a sliding window (per process)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def retry_after(self, client: str, now: float | None = None) -> int | None:
        """Seconds until this client may try again, or None when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.max_failures:
                return None
            return max(1, int(times[0] + self.window_s - now + 1))

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._failures.pop(client, None) or deque()
            times.append(now)
            while len(times) > self.max_failures:
                times.popleft()
            self._failures[client] = times  # re-inserted: the dict stays in least-recent order
            while len(self._failures) > MAX_CLIENTS:
                del self._failures[next(iter(self._failures))]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _store(request: Request) -> Store:
    store: Store | None = request.app.state.holder.store
    if store is None:
        raise ApiError(
            409,
            "no_store",
            "this registry is a GeoJSON file: it is changed with `locator import`, not through the API; "
            "serve a store (`locator init --from FILE`) to edit it here",
        )
    return store


def _attempts(request: Request) -> Attempts:
    attempts: Attempts | None = getattr(request.app.state, "sign_in_attempts", None)
    if attempts is None:
        attempts = request.app.state.sign_in_attempts = Attempts()
    return attempts


def signed_in(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    """The user whose valid, unrevoked token came with the request; 401 otherwise."""
    attempts, client = _attempts(request), client_address(request)
    wait = attempts.retry_after(client)
    if wait is not None:
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins from this address; try again in {wait} s",
            "Authorization",
            {"Retry-After": str(wait)},
        )
    challenge = {"WWW-Authenticate": 'Bearer realm="locator"'}
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "unauthorized", "sign in: send Authorization: Bearer TOKEN", "Authorization", challenge)
    digest = token_hash(credentials.credentials)
    user = _store(request).user_for_token(digest)
    if user is None or user.revoked_at is not None:
        attempts.failed(client)
        raise ApiError(401, "unauthorized", "this token is not valid (unknown or revoked)", "Authorization", challenge)
    return user


def require(role: Role) -> object:
    """A dependency: the signed-in user, 403 unless their role includes `role`."""

    def check(user: Annotated[User, Depends(signed_in)]) -> User:
        if RANK[user.role] < RANK[role]:
            raise ApiError(403, "forbidden", f"user {user.name} is {user.role}; this needs {role}", "Authorization")
        return user

    return Depends(check)


Editor = Annotated[User, require("editor")]
Admin = Annotated[User, require("admin")]

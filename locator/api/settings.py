"""Settings of the HTTP face, passed to create_app (nothing is read at import time)."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from locator.cli_holidays import holidays_path
from locator.errors import InvalidParameter
from locator.where import resolve_registry

_UNSET = Path()


def cache_dir() -> Path:
    """$LOCATOR_CACHE_DIR, else $XDG_CACHE_HOME/locator, else ~/.cache/locator."""
    explicit = os.environ.get("LOCATOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "locator"


def served_maps_dir(registry: Path, holidays: Path | None = None, tianditu_key: str | None = None) -> Path:
    """Where `serve` keeps the pages it builds: a cache folder of their own per registry file,
    holiday table and page options (never the repository's maps/, which only `build-maps` writes,
    nor site-packages), so two servers with other options never overwrite each other's pages.
    When the cache folder cannot be made (a service user whose HOME is not writable), a folder of
    this user's in the system's temporary folder is used instead, and the log says so."""
    parts = [str(registry.resolve()), str(holidays.resolve()) if holidays else "", tianditu_key or ""]
    name = f"maps-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:12]}"
    try:
        base = cache_dir()
        base.mkdir(parents=True, exist_ok=True)
        if not os.access(base, os.W_OK | os.X_OK):
            raise PermissionError(f"{base} is not writable")
    except OSError as exc:
        fallback = Path(tempfile.gettempdir()) / f"locator-{os.getuid()}"
        logging.getLogger("locator.maps").warning(
            "cannot use the cache folder (%s); keeping the pages in %s (set LOCATOR_CACHE_DIR to choose)", exc, fallback
        )
        base = fallback
    return base / name


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_HEADER_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ApiSettings:
    registry: Path
    holidays: Path
    maps_dir: Path = _UNSET  # default: served_maps_dir(registry, holidays)
    reload_interval_s: float = 1.0  # how often the registry file is checked for changes
    # FastAPI's native OpenTelemetry spans/metrics/logs: off by default (they cost ~15 % of a
    # /nearest request even with no exporter configured); on with LOCATOR_TELEMETRY=1
    telemetry: bool = False
    title: str = "暖心驿站地图 API · Warm Station Locator API"
    # Absolute links (OGC `links`, paging) and redirects are built on this base, never on the
    # request's Host header (which any client can set). `locator serve` defaults it to its own
    # bind address; behind a reverse proxy set it to the public origin (--public-url).
    public_url: str = DEFAULT_PUBLIC_URL
    # seconds a connection may take to send a request's headers (api/protocol.py)
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.maps_dir == _UNSET:
            object.__setattr__(self, "maps_dir", served_maps_dir(self.registry, self.holidays))

    @classmethod
    def from_env(cls) -> ApiSettings:
        """For `uvicorn --factory` workers: LOCATOR_REGISTRY, LOCATOR_HOLIDAYS, LOCATOR_MAPS_DIR,
        LOCATOR_RELOAD_INTERVAL, LOCATOR_PUBLIC_URL, LOCATOR_HEADER_TIMEOUT."""
        maps = os.environ.get("LOCATOR_MAPS_DIR")
        return cls(
            registry=Path(resolve_registry(None, os.environ)),
            holidays=holidays_path(os.environ),
            maps_dir=Path(maps) if maps else _UNSET,
            reload_interval_s=float(os.environ.get("LOCATOR_RELOAD_INTERVAL") or 1.0),
            telemetry=os.environ.get("LOCATOR_TELEMETRY", "") in ("1", "true", "yes"),
            public_url=public_url(os.environ.get("LOCATOR_PUBLIC_URL") or DEFAULT_PUBLIC_URL, "LOCATOR_PUBLIC_URL"),
            header_timeout_s=header_timeout_from_env(),
        )


def public_url(value: str, name: str = "--public-url") -> str:
    """`scheme://host[:port]` (http or https, no path, query or fragment), without a trailing slash."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise InvalidParameter(name, f"{value!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameter(name, f"{value!r} must look like https://stations.example.cn (http or https)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidParameter(name, f"{value!r} must be an origin only: scheme://host[:port], no path or query")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def header_timeout_from_env() -> float:
    """LOCATOR_HEADER_TIMEOUT (seconds, > 0), else 10; set by `locator serve --header-timeout`."""
    raw = os.environ.get("LOCATOR_HEADER_TIMEOUT")
    if not raw:
        return DEFAULT_HEADER_TIMEOUT_S
    return header_timeout(raw, "LOCATOR_HEADER_TIMEOUT")


def header_timeout(value: str, name: str = "--header-timeout") -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidParameter(name, f"{value!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise InvalidParameter(name, f"{value!r} must be more than 0 and at most 3600 seconds")
    return seconds

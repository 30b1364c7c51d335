"""Settings of the HTTP face, passed to create_app (nothing is read at import time).

They are derived from the one settings object (locator.settings) by `locator serve`; a worker
process of `serve --workers N` gets them back from the single value its supervisor handed down.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from locator import settings as edge
from locator.errors import InvalidParameter
from locator.settings import DEFAULT_HEADER_TIMEOUT_S, header_timeout, public_url

__all__ = ["DEFAULT_HEADER_TIMEOUT_S", "DEFAULT_PUBLIC_URL", "ApiSettings", "header_timeout", "public_url"]


def served_maps_dir(registry: Path, holidays: Path | None, tianditu_key: str | None, *, cache: Path) -> Path:
    """Where `serve` keeps the pages it builds: a folder of its own in `cache` per registry file,
    holiday table and page options (never the repository's maps/, which only `build-maps` writes,
    nor site-packages), so two servers with other options never overwrite each other's pages.
    When the cache folder cannot be made (a service user whose HOME is not writable), a folder of
    this user's in the system's temporary folder is used instead, and the log says so."""
    parts = [str(registry.resolve()), str(holidays.resolve()) if holidays else "", tianditu_key or ""]
    name = f"maps-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:12]}"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if not os.access(cache, os.W_OK | os.X_OK):
            raise PermissionError(f"{cache} is not writable")
    except OSError as exc:
        fallback = Path(tempfile.gettempdir()) / f"locator-{os.getuid()}"
        logging.getLogger("locator.maps").warning(
            "cannot use the cache folder (%s); keeping the pages in %s (set LOCATOR_CACHE_DIR to choose)", exc, fallback
        )
        cache = fallback
    return cache / name


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class ApiSettings:
    registry: Path
    holidays: Path
    maps_dir: Path  # `serve` defaults it to served_maps_dir(...)
    reload_interval_s: float = 1.0  # how often the registry is checked for changes (0: never)
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

    @classmethod
    def from_settings(cls, s: edge.Settings, *, default_public_url: str = DEFAULT_PUBLIC_URL) -> ApiSettings:
        registry, holidays = Path(s.registry).resolve(), s.holidays.resolve()
        return cls(
            registry=registry,
            holidays=holidays,
            maps_dir=s.maps_dir or served_maps_dir(registry, holidays, s.tianditu_key, cache=s.cache_dir),
            reload_interval_s=s.reload_interval_s,
            telemetry=s.telemetry,
            public_url=s.public_url or default_public_url,
            header_timeout_s=s.header_timeout_s,
        )

    def to_json(self) -> str:
        return orjson.dumps(
            {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(self).items()}
        ).decode()

    @classmethod
    def from_json(cls, text: str) -> ApiSettings:
        try:
            raw: dict[str, Any] = orjson.loads(text)
            raw.update({k: Path(raw[k]) for k in ("registry", "holidays", "maps_dir")})
            return cls(**raw)
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
            raise InvalidParameter(edge.WORKER_VARIABLE, "not what `locator serve` writes; unset it") from None

    @classmethod
    def from_env(cls) -> ApiSettings:
        """For `uvicorn --factory locator.api.main:app_from_env` workers: the settings `serve`
        handed down, else (a worker started by hand) the environment's, read once."""
        handed = edge.handed_to_worker()
        return cls.from_json(handed) if handed else cls.from_settings(edge.load())

"""Settings of the HTTP face, passed to create_app (nothing is read at import time)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from locator.holidays import holidays_path
from locator.registry import registry_path

_UNSET = Path()


def cache_dir() -> Path:
    """$LOCATOR_CACHE_DIR, else $XDG_CACHE_HOME/locator, else ~/.cache/locator."""
    explicit = os.environ.get("LOCATOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "locator"


def served_maps_dir(registry: Path) -> Path:
    """Where `serve` keeps the pages of a registry: a cache folder of its own per registry file
    (never the repository's maps/, which only `build-maps` writes, nor site-packages)."""
    key = hashlib.sha256(str(registry.resolve()).encode()).hexdigest()[:12]
    return cache_dir() / f"maps-{key}"


@dataclass(frozen=True)
class ApiSettings:
    registry: Path
    holidays: Path
    maps_dir: Path = _UNSET  # default: served_maps_dir(registry)
    reload_interval_s: float = 1.0  # how often the registry file is checked for changes
    # FastAPI's native OpenTelemetry spans/metrics/logs: off by default (they cost ~15 % of a
    # /nearest request even with no exporter configured); on with LOCATOR_TELEMETRY=1
    telemetry: bool = False
    title: str = "暖心驿站地图 API · Warm Station Locator API"

    def __post_init__(self) -> None:
        if self.maps_dir == _UNSET:
            object.__setattr__(self, "maps_dir", served_maps_dir(self.registry))

    @classmethod
    def from_env(cls) -> ApiSettings:
        """For `uvicorn --factory` workers: LOCATOR_REGISTRY, LOCATOR_HOLIDAYS, LOCATOR_MAPS_DIR,
        LOCATOR_RELOAD_INTERVAL."""
        maps = os.environ.get("LOCATOR_MAPS_DIR")
        return cls(
            registry=registry_path(),
            holidays=holidays_path(),
            maps_dir=Path(maps) if maps else _UNSET,
            reload_interval_s=float(os.environ.get("LOCATOR_RELOAD_INTERVAL") or 1.0),
            telemetry=os.environ.get("LOCATOR_TELEMETRY", "") in ("1", "true", "yes"),
        )

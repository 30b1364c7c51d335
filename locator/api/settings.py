"""Settings of the HTTP face, passed to create_app (nothing is read at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from locator.holidays import holidays_path
from locator.registry import registry_path

DEFAULT_MAPS = Path(__file__).resolve().parent.parent.parent / "maps"


@dataclass(frozen=True)
class ApiSettings:
    registry: Path
    holidays: Path
    maps_dir: Path = DEFAULT_MAPS
    reload_interval_s: float = 1.0  # how often the registry file is checked for changes
    # FastAPI's native OpenTelemetry spans/metrics/logs: off by default (they cost ~15 % of a
    # /nearest request even with no exporter configured); on with LOCATOR_TELEMETRY=1
    telemetry: bool = False
    title: str = "暖心驿站地图 API · Warm Station Locator API"

    @classmethod
    def from_env(cls) -> ApiSettings:
        """For `uvicorn --factory` workers: LOCATOR_REGISTRY, LOCATOR_HOLIDAYS, LOCATOR_MAPS_DIR,
        LOCATOR_RELOAD_INTERVAL."""
        return cls(
            registry=registry_path(),
            holidays=holidays_path(),
            maps_dir=Path(os.environ.get("LOCATOR_MAPS_DIR") or DEFAULT_MAPS),
            reload_interval_s=float(os.environ.get("LOCATOR_RELOAD_INTERVAL") or 1.0),
            telemetry=os.environ.get("LOCATOR_TELEMETRY", "") in ("1", "true", "yes"),
        )

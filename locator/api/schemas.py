"""Response schemas, for the OpenAPI document only (bodies are built as dicts and serialised by orjson).

Field names such as `numberMatched` are fixed by OGC API – Features.
"""
# ruff: noqa: N815

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class PointOut(_Open):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat] in the requested crs")


class LinkOut(_Open):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class StationPropertiesOut(_Open):
    """Registry properties plus `opening_hours_zh`, `open`, `next_change` (and `distance_m` for /nearest)."""

    id: str
    name: str
    type: str
    amenities: list[str]
    opening_hours: str | None
    opening_hours_zh: str
    open: bool | None = Field(description="此刻是否开放 · open at the evaluated moment; null = unknown")
    next_change: str | None = Field(
        description="下次变化时间（366 天内）· when the open state next changes (ISO 8601); null when the hours are "
        "unknown or the state does not change within 366 days of the evaluated moment"
    )
    distance_m: float | None = None


class FeatureOut(_Open):
    type: Literal["Feature"]
    id: str
    geometry: PointOut
    properties: StationPropertiesOut
    links: list[LinkOut] | None = None


class FeatureCollectionOut(_Open):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]
    numberMatched: int | None = None
    numberReturned: int | None = None
    links: list[LinkOut] | None = None
    evaluated_at: str | None = None
    warnings: list[str] | None = None


class LandingOut(_Open):
    title: str
    description: str
    links: list[LinkOut]


class ConformanceOut(_Open):
    conformsTo: list[str]


class CollectionOut(_Open):
    id: str
    title: str
    description: str | None = None
    links: list[LinkOut]
    extent: dict[str, Any] | None = None
    itemType: str | None = None
    crs: list[str] | None = None


class CollectionsOut(_Open):
    links: list[LinkOut]
    collections: list[CollectionOut]


class HealthOut(_Open):
    status: Literal["ok", "degraded"]
    registry: dict[str, Any]
    holidays: dict[str, Any]
    last_reload_error: dict[str, Any] | None

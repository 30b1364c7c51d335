"""The station record and its property schema (the registry format of the product contract)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TypeId = Literal["service_station", "warm_station", "worker_home", "mother_baby_room"]
AmenityId = Literal[
    "drinking_water", "hot_water", "microwave", "toilet", "rest_area", "phone_charging",
    "ebike_charging", "battery_swap", "first_aid", "tire_pump", "wifi", "sewing_kit", "umbrella",
    "blood_pressure", "blood_glucose", "reading", "free_cold_drinks", "air_conditioning", "heating",
    "nursing_room", "decompression_space", "meals", "accessible", "legal_aid", "counseling", "childcare",
]  # fmt: skip
StatusId = Literal["open", "temporarily_closed", "closed"]
PrecisionId = Literal["exact", "approximate"]
AccessId = Literal["public", "outdoor_workers", "members", "employees"]

ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"

#: Registry properties in the order they are written (unknown extra properties follow).
PROPERTY_ORDER: Final = (
    "id", "name", "type", "amenities", "opening_hours", "address", "district", "phone", "operator",
    "note", "status", "coord_precision", "source", "verified_at", "code", "access",
)  # fmt: skip


class StationProperties(BaseModel):
    """Schema of a Feature's properties; pydantic checks shapes, validate.py adds the rest."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, strict=True)

    id: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN)  # the API's path limit
    name: str = Field(min_length=1)
    type: TypeId
    amenities: list[AmenityId]
    opening_hours: str | None
    source: str = Field(min_length=1)
    address: str | None = None
    district: str | None = None
    phone: str | None = None
    operator: str | None = None
    note: str | None = None
    status: StatusId = "open"
    coord_precision: PrecisionId = "exact"
    verified_at: dt.date | None = None
    code: str | None = Field(default=None, min_length=1, max_length=64)  # 站点编号 on the sign
    access: AccessId = "public"

    @field_validator("verified_at", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


NO_EXTRA: Final[dict[str, Any]] = {}  # shared by every station without extra properties: never mutated


def intern_text(value: str | None) -> Any:
    return sys.intern(value) if value is not None else None


_AMENITY_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def amenity_tuple(value: tuple[str, ...]) -> tuple[str, ...]:
    return _AMENITY_TUPLES.setdefault(value, value) if len(_AMENITY_TUPLES) < 100_000 else value


@dataclass(frozen=True, slots=True)
class Station:
    """One station, WGS-84 coordinates. Immutable: a registry reload builds new ones."""

    id: str
    name: str
    type: str
    amenities: tuple[str, ...]
    opening_hours: str | None
    lon: float
    lat: float
    source: str
    address: str | None = None
    district: str | None = None
    phone: str | None = None
    operator: str | None = None
    note: str | None = None
    status: str = "open"
    coord_precision: str = "exact"
    verified_at: dt.date | None = None
    code: str | None = None
    access: str = "public"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_properties(cls, props: StationProperties, lon: float, lat: float) -> Station:
        # values that repeat across stations are interned: a million-station registry shares them
        return cls(
            id=props.id,
            name=props.name,
            type=intern_text(props.type),
            amenities=amenity_tuple(tuple(props.amenities)),
            opening_hours=intern_text(props.opening_hours),
            lon=lon,
            lat=lat,
            source=intern_text(props.source),
            address=props.address,
            district=intern_text(props.district),
            phone=props.phone,
            operator=intern_text(props.operator),
            note=props.note,
            status=intern_text(props.status),
            coord_precision=intern_text(props.coord_precision),
            verified_at=props.verified_at,
            code=props.code,
            access=intern_text(props.access),
            extra=dict(props.model_extra) if props.model_extra else NO_EXTRA,
        )

    def properties(self) -> dict[str, Any]:
        """Registry properties in canonical order; optional fields only when set."""
        out: dict[str, Any] = {}
        for name in PROPERTY_ORDER:
            value = getattr(self, name)
            if name == "amenities":
                value = list(value)
            elif name == "verified_at" and value is not None:
                value = value.isoformat()
            if (value is None and name != "opening_hours") or (name == "access" and value == "public"):
                continue  # optional fields only when set; `access` only when not the default
            out[name] = value
        out.update(self.extra)
        return out

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": self.properties(),
        }

"""Checks of caller-supplied values, shared by the CLI and the HTTP API.

Each raises InvalidParameter(name, reason) so both faces can say which argument is wrong.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Final

from locator import vocab
from locator.coords import CRS_IDS
from locator.errors import InvalidParameter
from locator.hours import beijing

K_MAX: Final = 1000
MAX_DISTANCE_M: Final = 20_100_000.0  # a little over half the Earth's circumference


def number(name: str, value: object) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidParameter(name, f"{value!r} is not a number") from None
    if not math.isfinite(x):
        raise InvalidParameter(name, f"{value!r} is not a finite number")
    return x


def latitude(value: object, name: str = "lat") -> float:
    x = number(name, value)
    if not -90 <= x <= 90:
        raise InvalidParameter(name, f"{x:g} is out of range (latitude is -90..90)")
    return x


def longitude(value: object, name: str = "lon") -> float:
    x = number(name, value)
    if not -180 <= x <= 180:
        raise InvalidParameter(name, f"{x:g} is out of range (longitude is -180..180)")
    return x


def count(value: object, name: str = "k", high: int = K_MAX) -> int:
    x = number(name, value)
    if x != int(x) or not 1 <= x <= high:
        raise InvalidParameter(name, f"{value!r} must be a whole number from 1 to {high}")
    return int(x)


def distance(value: object | None, name: str = "max_distance_m") -> float | None:
    if value is None:
        return None
    x = number(name, value)
    if not 0 <= x <= MAX_DISTANCE_M:
        raise InvalidParameter(name, f"{x:g} must be between 0 and {MAX_DISTANCE_M:.0f} metres")
    return x


def crs(value: str | None, name: str = "crs") -> str:
    v = (value or "wgs84").strip().lower()
    if v not in CRS_IDS:
        raise InvalidParameter(name, f"unknown coordinate system {value!r} (allowed: {', '.join(CRS_IDS)})")
    return v


def amenities(values: Iterable[str] | None, name: str = "amenity") -> tuple[str, ...]:
    out: list[str] = []
    for raw in values or ():
        for part in str(raw).split(","):
            if not part.strip():
                continue
            a = vocab.amenity_id(part)
            if a is None:
                raise InvalidParameter(name, f"unknown amenity {part!r} (allowed: {', '.join(vocab.AMENITY_IDS)})")
            if a not in out:
                out.append(a)
    return tuple(out)


def station_type(value: str | None, name: str = "type") -> str | None:
    if value is None or not value.strip():
        return None
    t = vocab.type_id(value)
    if t is None:
        raise InvalidParameter(name, f"unknown station type {value!r} (allowed: {', '.join(vocab.TYPE_IDS)})")
    return t


AT_YEARS: Final = (2000, 2099)
AT_RANGE: Final = "2000-01-01 to 2099-12-31, in the offset as written"


def moment(value: str | dt.datetime | None, name: str = "at") -> dt.datetime:
    """ISO 8601 moment (naive = Beijing time) → aware Beijing datetime; None = now.

    Accepted: a moment written in the years AT_YEARS (this century, a fixed range so a query's
    validity does not depend on the day it is asked). The year is checked as written, before the
    offset is applied, so the OpenAPI can state the range exactly (`at` pattern `^20[0-9]{2}-`).
    Hours evaluation costs the same at any moment of it; the range keeps answers meaningful (time
    zones before 1970 carry local-mean-time offsets, and no holiday data reaches that far).
    """
    if value is None:
        return beijing()
    if isinstance(value, dt.datetime):
        written = value
    else:
        text = value.strip()
        try:
            written = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise InvalidParameter(
                name, f"{value!r} is not an ISO 8601 date-time (e.g. 2026-02-28T10:00 or 2026-02-28T10:00+08:00)"
            ) from None
    if not AT_YEARS[0] <= written.year <= AT_YEARS[1]:
        raise InvalidParameter(name, f"{str(value)!r} is outside the accepted range ({AT_RANGE})")
    return beijing(written)

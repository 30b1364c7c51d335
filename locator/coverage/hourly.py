"""Covered share hour by hour on a workday, a Saturday and a statutory holiday.

The day kinds come from the holiday table: "workday" = the first Monday–Friday from `today` that
is neither a day off nor a make-up workday, "saturday" = the first such Saturday, "holiday" = the
first statutory day off (Monday–Friday preferred, so it differs from an ordinary weekend) from
`today`, else the table's last one. Each hour is the moment HH:00 Beijing time with open stations
only (open-now). Hours whose set of open stations repeats reuse its shares. Curves are cached per
Locator (one per registry version: a change builds a new Locator) and parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from locator.coverage.compute import TOTAL_NAME, check_radius, prepare
from locator.coverage.districts import Districts
from locator.holidays import HolidayCalendar
from locator.hours import BEIJING
from locator.service import Locator

KINDS: Final = ("workday", "saturday", "holiday")
_CACHE: weakref.WeakKeyDictionary[Locator, dict[tuple[Any, ...], HourCurve]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class HourCurve:
    radius_m: float
    days: Mapping[str, dt.date]
    curves: Mapping[str, Mapping[str, tuple[float, ...]]]  # district name (and "全部") → kind → 24 shares

    def to_json(self) -> dict[str, Any]:
        names = [n for n in self.curves if n != TOTAL_NAME]
        return {
            "radius_m": self.radius_m,
            "days": {k: d.isoformat() for k, d in self.days.items()},
            "districts": {n: {k: list(v) for k, v in self.curves[n].items()} for n in names},
            "total": {k: list(v) for k, v in self.curves[TOTAL_NAME].items()},
        }


def day_kinds(cal: HolidayCalendar, today: dt.date) -> dict[str, dt.date]:
    """The next workday, Saturday and statutory day off from `today` (see the module doc)."""

    def first(pred: Callable[[dt.date], bool]) -> dt.date:
        d = today
        while not pred(d):
            d += dt.timedelta(days=1)
        return d

    def plain(d: dt.date) -> bool:
        return d not in cal.days_off and d not in cal.workdays

    out = {
        "workday": first(lambda d: d.weekday() < 5 and plain(d)),
        "saturday": first(lambda d: d.weekday() == 5 and plain(d)),
    }
    future = sorted(d for d in cal.days_off if d >= today)
    weekday = [d for d in future if d.weekday() < 5]
    if weekday or future:
        out["holiday"] = (weekday or future)[0]
    elif cal.days_off:
        out["holiday"] = max(cal.days_off)
    return out


def hour_curve(
    loc: Locator,
    districts: Districts,
    *,
    radius_m: float = 1000.0,
    amenities: Sequence[str] = (),
    station_type: str | None = None,
    days: Mapping[str, dt.date] | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HourCurve:
    """24 covered shares (open stations at HH:00) per district and day kind; `progress(done,
    total)` is called after each hour computed."""
    r = check_radius(radius_m)
    when = today if today is not None else dt.datetime.now(BEIJING).date()
    chosen = dict(days) if days is not None else day_kinds(loc.calendar, when)
    key = (loc.registry.version, id(districts), r, tuple(amenities), station_type, tuple(sorted(chosen.items())))
    cached = _CACHE.setdefault(loc, {})
    if key in cached:
        return cached[key]
    p = prepare(loc, districts, amenities, station_type)
    counts = p.grid.counts
    seen: dict[bytes, NDArray[np.float64]] = {}
    per_kind: dict[str, list[NDArray[np.float64]]] = {}
    total, done = 24 * len(chosen), 0
    for kind, day in chosen.items():
        rows = per_kind.setdefault(kind, [])
        for hour in range(24):
            at = dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)
            use = p.cols.open_at(at.timestamp())[p.keep]
            digest = hashlib.blake2b(np.packbits(use).tobytes(), digest_size=16).digest()
            if digest not in seen:
                seen[digest] = p.grid.shares(p.x[use], p.y[use], r)
            rows.append(seen[digest])
            done += 1
            if progress is not None:
                progress(done, total)
    curves: dict[str, dict[str, tuple[float, ...]]] = {}
    for i, d in enumerate(districts):
        curves[d.name] = {k: tuple(round(float(s[i]), 4) for s in v) for k, v in per_kind.items()}
    weight = counts / max(int(counts.sum()), 1)
    curves[TOTAL_NAME] = {k: tuple(round(float((s * weight).sum()), 4) for s in v) for k, v in per_kind.items()}
    out = HourCurve(r, chosen, curves)
    cached[key] = out
    return out

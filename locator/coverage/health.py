"""Data health by district: what staff should check before trusting a coverage map.

Each station (not `closed`: a closed station serves no one and needs no care) counts in the
district whose boundary contains its point, as in coverage; a point in no boundary counts in
the row `OUTSIDE`, and every station in the row `TOTAL`. Four checks, each with a count and up
to `EXAMPLES` station ids in registry order:

* `unknown_hours` — no `opening_hours`: the station covers no one when "open now" is asked;
* `not_verified_180d` — `verified_at` missing or more than 180 days before `today`;
* `outside_boundary` — no boundary contains the point, or the `district` text names another
  district than the one that does (a wrong point or a wrong district; an empty text is not
  counted);
* `suspected_duplicates` — the same name within 50 m of an earlier station (the import's
  near-duplicate rule, `locator.duplicates.near_pairs`); the later station of each pair counts,
  and `pairs` lists the first example pairs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from locator.duplicates import near_pairs

if TYPE_CHECKING:
    from locator.coverage.districts import Districts
    from locator.model import Station
    from locator.service import Locator

STALE_DAYS: Final = 180
EXAMPLES: Final = 5
OUTSIDE: Final = "区外"
TOTAL: Final = "全部"
CHECKS: Final = ("unknown_hours", "not_verified_180d", "outside_boundary", "suspected_duplicates")


@dataclass
class Check:
    """How many stations a check flags, and the first few ids."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, station_id: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(station_id)

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "examples": list(self.examples)}


@dataclass
class DistrictHealth:
    """The checks of one district (or of `OUTSIDE`, or `TOTAL`).

    `to_json()` → `{"name", "stations", "unknown_hours": {"count", "examples": [ids]},
    "not_verified_180d": {…}, "outside_boundary": {…}, "suspected_duplicates": {"count",
    "examples", "pairs": [[earlier id, later id], …]}}`."""

    name: str
    stations: int = 0
    unknown_hours: Check = field(default_factory=Check)
    not_verified_180d: Check = field(default_factory=Check)
    outside_boundary: Check = field(default_factory=Check)
    suspected_duplicates: Check = field(default_factory=Check)
    duplicate_pairs: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "stations": self.stations}
        for name in CHECKS:
            check: Check = getattr(self, name)
            out[name] = check.to_json()
        out["suspected_duplicates"]["pairs"] = [list(p) for p in self.duplicate_pairs]
        return out


def health_json(health: dict[str, DistrictHealth]) -> dict[str, Any]:
    """`{"districts": [row, …], "outside": row, "total": row}` (rows as `DistrictHealth.to_json`)."""
    rows = [h.to_json() for name, h in health.items() if name not in (OUTSIDE, TOTAL)]
    return {"districts": rows, "outside": health[OUTSIDE].to_json(), "total": health[TOTAL].to_json()}


def _names_match(text: str | None, name: str) -> bool:
    """`西城区` matches `西城区` and `西城` (staff often drop the 区)."""
    if text is None or not text.strip():
        return True
    given = text.strip()
    return given == name or (name.endswith("区") and given == name[: -len("区")])


def district_health(loc: Locator, districts: Districts, *, today: dt.date) -> dict[str, DistrictHealth]:
    """Rows keyed by district name in the districts' order, then `OUTSIDE` and `TOTAL`."""
    stations: list[Station] = [s for s in loc.stations if s.status != "closed"]
    names = [d.name for d in districts]
    rows = {name: DistrictHealth(name) for name in [*names, OUTSIDE, TOTAL]}
    lon = np.fromiter((s.lon for s in stations), np.float64, len(stations))
    lat = np.fromiter((s.lat for s in stations), np.float64, len(stations))
    where = districts.locate(lon, lat).tolist() if stations else []
    row_of = [rows[names[w]] if w >= 0 else rows[OUTSIDE] for w in where]
    total = rows[TOTAL]
    stale_before = today - dt.timedelta(days=STALE_DAYS)
    for st, w, row in zip(stations, where, row_of, strict=True):
        for r in (row, total):
            r.stations += 1
        flagged = []
        if st.opening_hours is None or not st.opening_hours.strip():
            flagged.append("unknown_hours")
        if st.verified_at is None or st.verified_at < stale_before:
            flagged.append("not_verified_180d")
        if w < 0 or not _names_match(st.district, names[w]):
            flagged.append("outside_boundary")
        for check in flagged:
            for r in (row, total):
                getattr(r, check).add(st.id)
    first, later, _metres = near_pairs(stations)
    for a, b in zip(first.tolist(), later.tolist(), strict=True):
        pair = (stations[a].id, stations[b].id)
        for r in (row_of[b], total):
            r.suspected_duplicates.add(pair[1])
            if len(r.duplicate_pairs) < EXAMPLES:
                r.duplicate_pairs.append(pair)
    return rows

"""The compact station data a page loads (a script file setting `window.LOCATOR_DATA`).

Rows are arrays, strings that repeat (sources, districts, hours) are stored once in tables, and
coordinates are WGS-84 micro-degrees; the page converts to GCJ-02 for Amap tiles itself.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from locator import vocab
from locator.holidays import HolidayCalendar
from locator.hours_zh import hours_zh
from locator.model import Station
from locator.schedule import LOOKAHEAD_DAYS, encode, encoded_range, window


def _table_index(table: dict[str, int], value: str | None) -> int:
    if value is None:
        return -1
    if value not in table:
        table[value] = len(table)
    return table[value]


#: encoded schedules by hours expression, kept between builds of one calendar (encoding is the
#: costly part of a page's data; a registry has few distinct expressions)
HoursCache: TypeAlias = dict[str, dict[str, Any]]


def _schedule(expr: str, cal: HolidayCalendar, cache: HoursCache | None) -> dict[str, Any]:
    if cache is None:
        return {"t": hours_zh(expr), **encode(expr, cal)}
    if expr not in cache:
        cache[expr] = {"t": hours_zh(expr), **encode(expr, cal)}
    return cache[expr]


def page_data(
    stations: list[Station], cal: HolidayCalendar, registry_version: str | None, hours_cache: HoursCache | None = None
) -> dict[str, Any]:
    """Everything the page needs: stations (never `closed` ones), hours schedules, labels; the
    registry version only when given (the all-stations page)."""
    hours: dict[str, int] = {}
    sources: dict[str, int] = {}
    districts: dict[str, int] = {}
    rows: list[list[Any]] = []
    for st in stations:
        if st.status == "closed":
            continue
        mask = 0
        for a in st.amenities:
            mask |= 1 << vocab.AMENITY_BIT[a]
        flags = (1 if st.status == "temporarily_closed" else 0) | (2 if st.coord_precision == "approximate" else 0)
        row: list[Any] = [
            st.id,
            st.name,
            vocab.TYPE_CODE[st.type],
            mask,
            _table_index(hours, st.opening_hours),
            flags,
            round(st.lon * 1e6),
            round(st.lat * 1e6),
            _table_index(sources, st.source),
            _table_index(districts, st.district),
            st.address or "",
            st.phone or "",
            st.verified_at.isoformat() if st.verified_at else "",
            st.note or "",
        ]
        while row and row[-1] == "":
            row.pop()  # trailing empty optional fields are left out
        rows.append(row)
    first, last = window(cal)
    version = {} if registry_version is None else {"version": registry_version}
    return {
        **version,
        "valid": [first.isoformat(), last.isoformat()],
        "range": [d.isoformat() for d in encoded_range(cal)],
        "ahead": LOOKAHEAD_DAYS,
        "types": [[t.id, t.zh] for t in vocab.STATION_TYPES],
        "amenities": [[a.id, a.zh] for a in vocab.AMENITIES],
        "hours": [_schedule(h, cal, hours_cache) for h in hours],
        "sources": list(sources),
        "districts": list(districts),
        "s": rows,
    }

"""schemathesis hooks for tests/api/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

`at` is declared `format: date-time`, and the server takes every RFC 3339 form, but only moments
within the years it evaluates opening hours for (locator.params.moment; out of range → 400, as
its description says). JSON Schema cannot state a range of years for a date-time, so generated
`at` values keep everything schemathesis chose (month, day, time, fraction, leap second, offset)
and get this year: the range itself is tested in the unit tests of locator.params.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import schemathesis

from locator.api.moments import interval
from locator.errors import InvalidParameter

_YEAR = re.compile(r"^\d{4}(?=-\d{2}-\d{2}[Tt])")


@schemathesis.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    at = query.get("at") if query else None
    if query is not None and isinstance(at, str):
        return {**query, "at": _YEAR.sub(str(dt.date.today().year), at)}
    return query


@schemathesis.hook("map_query")
def order_datetime_interval(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    """OGC `datetime` intervals must not end before they start (400); the pattern cannot say so."""
    value = query.get("datetime") if query else None
    if query is None or not isinstance(value, str) or value.count("/") != 1:
        return query
    start, end = value.split("/")
    if start in ("", "..") or end in ("", ".."):
        return query
    try:
        interval(value)
    except InvalidParameter:
        return {**query, "datetime": f"{end}/{start}"}
    return query


@schemathesis.hook("map_query")
def order_bbox_latitudes(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    """`bbox` needs minlat ≤ maxlat (400 otherwise, as documented); the pattern cannot say so.

    (minlon > maxlon is valid: a box across the antimeridian.)
    """
    value = query.get("bbox") if query else None
    if query is None or not isinstance(value, str) or value.count(",") != 3:
        return query
    x0, y0, x1, y1 = value.split(",")
    try:
        if float(y0) > float(y1):
            return {**query, "bbox": f"{x0},{y1},{x1},{y0}"}
    except ValueError:
        pass
    return query

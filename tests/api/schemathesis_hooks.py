"""schemathesis hooks for tests/api/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

JSON Schema cannot say that an interval or a box must not be reversed (both answered 400, as
documented), so generated values are put in order before they are sent.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis

from locator.api.moments import interval
from locator.errors import InvalidParameter

_YEAR = re.compile(r"^\d{4}(?=-\d{2}-\d{2}[Tt])")


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


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """`cursor` is opaque: only the value of a `next` link is valid (any other is a 400, as
    documented), which a pattern cannot say; a well-formed forged one is left out (in every
    phase, coverage included, hence here rather than in `map_query`)."""
    value = case.query.get("cursor") if case.query else None
    if isinstance(value, str) and len(value) <= 2000 and re.fullmatch(r"[A-Za-z0-9_-]+", value):
        del case.query["cursor"]

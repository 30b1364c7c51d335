"""Moments in query strings: `at` (one instant) and OGC's `datetime` (an instant or an interval).

Both are declared `format: date-time` (RFC 3339 §5.6) in the OpenAPI document, and every RFC 3339
date-time is accepted: `t`/`z` in lower case, any number of fraction digits, offsets such as
`-00:00`, and a leap second (`23:59:60`, read as `23:59:59`: open states change on minutes).
`at` also keeps the shorter ISO 8601 forms the product has always taken (`2026-02-28T10:00`,
no offset = Beijing time). The range of years is checked by locator.params.moment.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from locator import params
from locator.errors import InvalidParameter

# RFC 3339 §5.6 date-time, with only the calendar's real days (leap years included), so that the
# pattern published in the OpenAPI document and this parser agree on every string.
_LEAP_YEAR = r"[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00"
_MONTH_DAY = r"(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31"
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # year 0 is outside Python's range
_DATE = rf"(?:{_YEAR}-(?:{_MONTH_DAY})|(?:{_LEAP_YEAR})-02-29)"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
DATE_TIME_RE: Final = rf"{_DATE}[Tt]{_TIME}"
# OGC `datetime`: a date-time or an interval with `..` or nothing for an open end (never both)
DATETIME_PATTERN: Final = rf"^(?:{DATE_TIME_RE}|{DATE_TIME_RE}/(?:{DATE_TIME_RE}|\.\.)?|(?:\.\.)?/{DATE_TIME_RE})$"
_RFC3339: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
_EXACT: Final = re.compile(DATE_TIME_RE, re.ASCII)


def _rfc3339_text(text: str) -> str | None:
    """RFC 3339 date-time → a string datetime.fromisoformat reads; None if it is not one."""
    m = _RFC3339.fullmatch(text)
    if m is None or not _EXACT.fullmatch(text):
        return None
    year, month, day, hour, minute, second, frac, offset = m.groups()
    second = "59" if second == "60" else second  # leap second
    frac = (frac or "")[:7]  # fromisoformat takes at most 6 digits after the dot
    offset = "+00:00" if offset in ("Z", "z") else offset
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}{frac}{offset}"


def moment(value: str | None, name: str = "at") -> dt.datetime:
    """An RFC 3339 date-time (or the product's shorter ISO 8601 forms) → aware Beijing datetime."""
    if value is None:
        return params.moment(None, name)
    text = _rfc3339_text(value.strip())
    return params.moment(text if text is not None else value, name)


def utc_seconds(moment: dt.datetime) -> float:
    """Seconds since 0001-01-01 UTC; works where converting to UTC would leave datetime's range."""
    offset = moment.utcoffset() or dt.timedelta(0)
    return (moment.replace(tzinfo=None) - dt.datetime(1, 1, 1)).total_seconds() - offset.total_seconds()


def interval(value: str | None, name: str = "datetime") -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """OGC API – Features `datetime`: `T`, `T1/T2`, `../T`, `T/..`, `/T`, `T/` (RFC 3339 date-times).

    Returns (start, end) as given (any year RFC 3339 allows) with None for an open end; None when
    the parameter is absent.
    """
    if value is None:
        return None
    parts = value.split("/")
    if len(parts) > 2 or all(p in ("", "..") for p in parts):
        raise InvalidParameter(name, f"{value!r} must be a date-time or an interval START/END (`..` = open)")
    ends: list[dt.datetime | None] = []
    for part in parts:
        if part in ("", ".."):
            ends.append(None)
            continue
        text = _rfc3339_text(part)
        try:
            if text is None:
                raise ValueError("not RFC 3339")
            ends.append(dt.datetime.fromisoformat(text))
        except ValueError:
            raise InvalidParameter(
                name, f"{part!r} is not an RFC 3339 date-time (e.g. 2026-02-28T10:00:00+08:00 or 2026-02-28T02:00:00Z)"
            ) from None
    start, end = ends[0], ends[-1]
    if start is not None and end is not None and utc_seconds(start) > utc_seconds(end):
        raise InvalidParameter(name, f"{value!r}: the interval ends before it starts")
    return start, end

"""Opening hours as a compact schedule a web page can evaluate: a weekly template plus dated
exceptions, computed with the same engine (and holiday table) as the API.

For each expression: `w` = spans of an ordinary Monday..Sunday, `x` = {ISO date: spans} for every
day of the encoded range that differs from its weekday's template (statutory days off, make-up
workdays, dated or seasonal rules). A span is `[start, end]` (open) or `[start, end, -1]`
(state unknown, e.g. `unknown "请电话确认"`), in minutes after midnight; time outside every span
is closed. The page merges touching spans of one state, so its open state and next change are
the API's (`HoursBook`) at every moment of the range (tests/maps/test_agreement.py).

The range is fixed by the holiday table, not by the build time, so a rebuilt page is
byte-identical when the data has not changed: the last two covered years (`window`, where pages
say their holiday data holds) plus one more year evaluated as the API evaluates an uncovered
year (no PH, no make-up days), so that a next change after the covered years is still found.
The page reports a next change only within `LOOKAHEAD_DAYS` of the moment, as the API does (`HORIZON`),
and never past the encoded range's end: there only the weekly template is known, which misses
dated, year-ranged and week-numbered rules. Past the range the page still shows a state (from
the template) with its "holiday data has run out" note, and no next change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Final

from opening_hours import OpeningHours, State

from locator.holidays import HolidayCalendar
from locator.hours import BEIJING, HORIZON, compile_hours

Span = tuple[int, int, int]  # start minute, end minute, state code (1 open, -1 unknown)
Spans = tuple[Span, ...]
LOOKAHEAD_DAYS: Final = round(HORIZON / 86400)  # the API's horizon, so both say "no change" alike
_CODE: Final = {State.OPEN: 1, State.UNKNOWN: -1}


def window(cal: HolidayCalendar) -> tuple[dt.date, dt.date]:
    """First and last day the pages' holiday data covers (the last two years of holiday data)."""
    cov = cal.coverage()
    last_year = cov[1] if cov else dt.date.today().year
    return dt.date(last_year - 1, 1, 1), dt.date(last_year, 12, 31)


def encoded_range(cal: HolidayCalendar) -> tuple[dt.date, dt.date]:
    """First and last day with exact day-by-day spans (the window plus the following year)."""
    first, last = window(cal)
    return first, dt.date(last.year + 1, 12, 31)


def day_spans(oh: OpeningHours, first: dt.date, last: dt.date) -> dict[dt.date, Spans]:
    """Open and unknown spans per day (minutes 0..1440); an interval over midnight is split at it."""
    start = dt.datetime(first.year, first.month, first.day, tzinfo=BEIJING)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=BEIJING) + dt.timedelta(days=1)
    out: dict[dt.date, list[Span]] = {}
    for a, b, state, _comment in oh.intervals(start, end):
        code = _CODE.get(state)
        if code is None:
            continue
        a_l, b_l = a.astimezone(BEIJING), min(b.astimezone(BEIJING), end)
        while a_l < b_l:
            midnight = dt.datetime(a_l.year, a_l.month, a_l.day, tzinfo=BEIJING) + dt.timedelta(days=1)
            stop = min(b_l, midnight)
            s = a_l.hour * 60 + a_l.minute
            e = 1440 if stop == midnight else stop.hour * 60 + stop.minute
            spans = out.setdefault(a_l.date(), [])
            if spans and spans[-1][1] == s and spans[-1][2] == code:
                spans[-1] = (spans[-1][0], e, code)  # same state, another comment: one span
            else:
                spans.append((s, e, code))
            a_l = stop
    days: dict[dt.date, Spans] = {}
    d = first
    while d <= last:
        days[d] = tuple(out.get(d, ()))
        d += dt.timedelta(days=1)
    return days


def _json(spans: Spans) -> list[list[int]]:
    return [[a, b] if code == 1 else [a, b, code] for a, b, code in spans]


def encode(expr: str, cal: HolidayCalendar) -> dict[str, Any]:
    first, last = encoded_range(cal)
    days = day_spans(compile_hours(expr, cal), first, last)
    template: list[Spans] = []
    for weekday in range(7):
        counts = Counter(spans for d, spans in days.items() if d.weekday() == weekday)
        template.append(counts.most_common(1)[0][0] if counts else ())
    exceptions = {d.isoformat(): _json(spans) for d, spans in days.items() if spans != template[d.weekday()]}
    return {"w": [_json(spans) for spans in template], "x": exceptions}

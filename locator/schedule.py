"""Opening hours as a compact schedule a web page can evaluate: a weekly template plus dated
exceptions, computed with the same engine (and holiday table) as the API.

For each expression: `w` = open spans of an ordinary Monday..Sunday in minutes after midnight,
`x` = {ISO date: spans} for every day of the window that differs from its weekday's template
(statutory days off, make-up workdays, dated or seasonal rules). The window is fixed by the
holiday table (the last two covered years), not by the build time, so a rebuilt page is
byte-identical when the data has not changed; pages say until when their holiday data holds.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from opening_hours import OpeningHours, State

from locator.holidays import HolidayCalendar
from locator.hours import BEIJING, compile_hours

Spans = tuple[tuple[int, int], ...]


def window(cal: HolidayCalendar) -> tuple[dt.date, dt.date]:
    """First and last day the pages' schedules cover (the last two years of holiday data)."""
    cov = cal.coverage()
    last_year = cov[1] if cov else dt.date.today().year
    return dt.date(last_year - 1, 1, 1), dt.date(last_year, 12, 31)


def day_spans(oh: OpeningHours, first: dt.date, last: dt.date) -> dict[dt.date, Spans]:
    """Open spans per day (minutes 0..1440); an interval over midnight is split at it."""
    start = dt.datetime(first.year, first.month, first.day, tzinfo=BEIJING)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=BEIJING) + dt.timedelta(days=1)
    out: dict[dt.date, list[tuple[int, int]]] = {}
    for a, b, state, _comment in oh.intervals(start, end):
        if state != State.OPEN:
            continue
        a_l, b_l = a.astimezone(BEIJING), min(b.astimezone(BEIJING), end)
        while a_l < b_l:
            midnight = dt.datetime(a_l.year, a_l.month, a_l.day, tzinfo=BEIJING) + dt.timedelta(days=1)
            stop = min(b_l, midnight)
            s = a_l.hour * 60 + a_l.minute
            e = 1440 if stop == midnight else stop.hour * 60 + stop.minute
            out.setdefault(a_l.date(), []).append((s, e))
            a_l = stop
    days: dict[dt.date, Spans] = {}
    d = first
    while d <= last:
        days[d] = tuple(out.get(d, ()))
        d += dt.timedelta(days=1)
    return days


def encode(expr: str, cal: HolidayCalendar) -> dict[str, Any]:
    first, last = window(cal)
    days = day_spans(compile_hours(expr, cal), first, last)
    template: list[Spans] = []
    for weekday in range(7):
        counts = Counter(spans for d, spans in days.items() if d.weekday() == weekday)
        template.append(counts.most_common(1)[0][0] if counts else ())
    exceptions = {
        d.isoformat(): [list(s) for s in spans] for d, spans in days.items() if spans != template[d.weekday()]
    }
    return {"w": [[list(s) for s in spans] for spans in template], "x": exceptions}

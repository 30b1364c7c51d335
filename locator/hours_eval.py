"""One expression's evaluators, one per stretch of years, and its intervals across them.

Expanding `PH` and the make-up workdays of the whole holiday table into one expression makes
every evaluated day check every holiday date (measured: ~14 µs a day for an office schedule
with 2020–2026 data, against ~2 µs without holidays). Here each year that has holiday dates
(with a week's margin, for rules running past midnight) gets an evaluator holding only its own
dates, and all other years share the evaluator without holidays; `intervals` stitches them.
The answers are those of `compile_hours` (a test compares them); only the cost differs.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from opening_hours import OpeningHours, State

from locator.holidays import HolidayCalendar
from locator.hours_syntax import BEIJING, assemble, make_up_hours

OPEN: Final = 1
CLOSED: Final = 0
UNKNOWN: Final = -1
_STATE_CODE: Final = {State.OPEN: OPEN, State.CLOSED: CLOSED, State.UNKNOWN: UNKNOWN}
_INF: Final = float("inf")


@lru_cache(maxsize=256)
def _jan1(year: int) -> float:
    return dt.datetime(year, 1, 1, tzinfo=BEIJING).timestamp()


def _margin_years(day: dt.date) -> tuple[int, ...]:
    """Years whose evaluator must know `day`: its own, and the neighbour within a week."""
    if day.month == 12 and day.day >= 25:
        return (day.year, day.year + 1)
    if day.month == 1 and day.day <= 7:
        return (day.year, day.year - 1)
    return (day.year,)


@lru_cache(maxsize=1024)
def _year_slice(days: frozenset[dt.date], year: int) -> frozenset[dt.date]:
    """The days of `days` an evaluator of `year` must know (shared by all expressions)."""
    lo, hi = dt.date(year - 1, 12, 25), dt.date(year + 1, 1, 7)
    return frozenset(d for d in days if lo <= d <= hi)


class Evaluators:
    """Evaluators of one expression by year; `intervals` yields (start, end, state code) lazily."""

    __slots__ = ("_compiled", "_days_off", "_make_up", "_years", "expr")

    def __init__(self, expr: str, cal: HolidayCalendar) -> None:
        self.expr = expr
        self._make_up = make_up_hours(expr, cal)
        self._days_off = cal.days_off if "PH" in expr else frozenset()
        years = {y for d in (*self._days_off, *self._make_up) for y in _margin_years(d)}
        self._years = sorted(years)
        self._compiled: dict[int | None, OpeningHours] = {}
        for year in (-1, *self._years):  # compiled at load (~0.1 ms each: too slow for a request)
            self._for_year(year)

    def _for_year(self, year: int) -> OpeningHours:
        key = year if year in self._years else None
        oh = self._compiled.get(key)
        if oh is None:
            if key is None:
                text = assemble(self.expr, frozenset(), {})
            else:
                lo, hi = dt.date(year - 1, 12, 25), dt.date(year + 1, 1, 7)
                off = _year_slice(self._days_off, year)
                text = assemble(self.expr, off, {d: h for d, h in self._make_up.items() if lo <= d <= hi})
            oh = self._compiled[key] = OpeningHours(text, timezone=BEIJING)
        return oh

    def _segment_end(self, year: int) -> float:
        """Where the evaluator of `year` stops applying."""
        if year in self._years:
            return _jan1(year + 1)
        i = bisect.bisect_right(self._years, year)
        return _jan1(self._years[i]) if i < len(self._years) else _INF

    def intervals(self, start: float, end: float) -> Iterator[tuple[float, float, int]]:
        """Raw intervals of [start, end) as timestamps; adjacent ones may share a state."""
        a = start
        while a < end:
            year = dt.datetime.fromtimestamp(a, BEIJING).year
            stop = min(end, self._segment_end(year))
            oh = self._for_year(year)
            for x, y, state, _comment in oh.intervals(
                dt.datetime.fromtimestamp(a, BEIJING), dt.datetime.fromtimestamp(stop, BEIJING)
            ):
                yield x.timestamp(), y.timestamp(), _STATE_CODE[state]
            a = stop

"""Opening hours in OSM syntax, evaluated in Asia/Shanghai with Chinese holidays.

opening-hours-py does the parsing and evaluation. Its own `PH` calendar for CN knows only the
first day of each festival, so before evaluation we rewrite the expression:

* `PH` becomes the explicit dated list of statutory days off from the holiday table
  (whole periods, e.g. `2026 Feb 15-2026 Feb 23`);
* every make-up workday (调休上班日) gets a dated rule with the station's *weekday hours*:
  the hours it keeps on the nearest ordinary Wednesday (not a holiday, not a make-up day).
  Wednesday is used because Mondays and Fridays are where special weekday hours usually sit.

`PH` is accepted as a rule's whole weekday selector (`PH off`, `PH 10:00-14:00`) or joined to
weekdays (`Mo-Fr,PH 08:00-18:00`); other uses (offsets such as `PH +1 day`) are rejected with
a message rather than evaluated wrongly.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

from locator.holidays import HolidayCalendar

BEIJING: Final = ZoneInfo("Asia/Shanghai")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PH_ALONE: Final = re.compile(r'^PH(?=$|\s+(?:\d|off\b|closed\b|open\b|unknown\b|"))')
_PH_JOINED: Final = re.compile(r"^((?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?,?)+),PH(?=\s|$)")
_PH_LEADING: Final = re.compile(r"^PH,((?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?,?)+)(?=\s|$)")
_NEVER: Final = "1900 Jan 01"  # a date selector that matches nothing we evaluate

OPEN: Final = 1
CLOSED: Final = 0
UNKNOWN: Final = -1
_STATE_CODE: Final = {State.OPEN: OPEN, State.CLOSED: CLOSED, State.UNKNOWN: UNKNOWN}


class HoursError(ValueError):
    """An opening_hours string that cannot be evaluated; the message says where and why."""


def beijing(moment: dt.datetime | None = None) -> dt.datetime:
    """The moment as an aware Beijing datetime (naive input is taken as Beijing local time)."""
    if moment is None:
        return dt.datetime.now(BEIJING)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def _date_sel(day: dt.date) -> str:
    return f"{day.year} {_MONTHS[day.month - 1]} {day.day:02d}"


def _date_ranges(days: frozenset[dt.date]) -> str:
    """`2026 Feb 15-2026 Feb 23,2026 Apr 04-…` for a set of dates (consecutive days merged)."""
    if not days:
        return _NEVER
    ordered = sorted(days)
    parts: list[str] = []
    start = prev = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day == prev + dt.timedelta(days=1):
            prev = day
            continue
        parts.append(_date_sel(start) if start == prev else f"{_date_sel(start)}-{_date_sel(prev)}")
        if day is not None:
            start = prev = day
    return ",".join(parts)


def _split_rules(expr: str) -> list[tuple[str, str]]:
    """Split on `;` and `||` (outside quoted comments) → [(separator_before, rule)]."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    sep = ""
    in_comment = False
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch == '"':
            in_comment = not in_comment
        if not in_comment and (ch == ";" or expr.startswith("||", i)):
            out.append((sep, "".join(buf).strip()))
            sep = "; " if ch == ";" else " || "
            buf = []
            i += 1 if ch == ";" else 2
            continue
        buf.append(ch)
        i += 1
    out.append((sep, "".join(buf).strip()))
    return out


def expand_ph(expr: str, days_off: frozenset[dt.date]) -> str:
    """Rewrite `PH` into explicit dated rules (see the module docstring)."""
    if "PH" not in expr:
        return expr
    dates = _date_ranges(days_off)
    rules: list[str] = []
    for sep, rule in _split_rules(expr):
        if "PH" not in rule.split('"')[0]:
            rules.append(sep + rule)
            continue
        joined = _PH_JOINED.match(rule) or _PH_LEADING.match(rule)
        if joined:
            rest = rule[joined.end() :]
            rules.append(sep + joined.group(1).rstrip(",") + rest)
            rules.append("; " + dates + rest)
        elif _PH_ALONE.match(rule):
            rules.append(sep + dates + rule[2:])
        else:
            raise HoursError(
                f"PH is supported as a rule's own selector ('PH off', 'Mo-Fr,PH 08:00-18:00'), not in {rule!r}"
            )
    return "".join(rules)


def _day_hours(oh: OpeningHours, day: dt.date) -> str:
    """The open spans of one day as `HH:MM-HH:MM,…` (or `off`)."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=BEIJING)
    end = start + dt.timedelta(days=1)
    spans: list[str] = []
    for a, b, state, _comment in oh.intervals(start, end):
        if state != State.OPEN:
            continue
        a_l, b_l = beijing(a), beijing(b)
        end_txt = "24:00" if b_l >= end else b_l.strftime("%H:%M")
        spans.append(f"{a_l.strftime('%H:%M')}-{end_txt}")
    return ",".join(spans) if spans else "off"


def _reference_wednesday(day: dt.date, cal: HolidayCalendar) -> dt.date:
    """The nearest Wednesday that is neither a day off nor a make-up day."""
    base = day + dt.timedelta(days=(2 - day.weekday()))
    for step in range(0, 60):
        for cand in (base - dt.timedelta(weeks=step), base + dt.timedelta(weeks=step)):
            if cand not in cal.days_off and cand not in cal.workdays:
                return cand
    return base


def compile_hours(expr: str, cal: HolidayCalendar) -> OpeningHours:
    """Validate `expr` and return an evaluator with PH and make-up workdays applied."""
    check_syntax(expr)
    expanded = expand_ph(expr, cal.days_off)
    try:
        oh = OpeningHours(expanded, timezone=BEIJING)
    except (ParserError, SyntaxError, ValueError) as exc:  # pragma: no cover - raw text parsed already
        raise HoursError(f"cannot apply the holiday table to {expr!r}: {exc}") from exc
    extra: dict[str, list[dt.date]] = {}
    for day in sorted(cal.workdays):
        hours = _day_hours(oh, _reference_wednesday(day, cal))
        if hours != _day_hours(oh, day):
            extra.setdefault(hours, []).append(day)
    if not extra:
        return oh
    rules = [expanded]
    for hours, days in extra.items():
        rules.append(f"{','.join(_date_sel(d) for d in days)} {hours}")
    return OpeningHours("; ".join(rules), timezone=BEIJING)


@lru_cache(maxsize=4096)
def check_syntax(expr: str) -> None:
    """Raise HoursError naming the position when `expr` is not valid OSM opening_hours."""
    if not expr.strip():
        raise HoursError("empty string (use null when the hours are unknown)")
    try:
        OpeningHours(expr)
    except (ParserError, SyntaxError, ValueError) as exc:
        text = str(exc)
        pos = re.search(r"--> 1:(\d+)", text)
        expected = re.search(r"= (expected .*)", text)
        where = f" at character {pos.group(1)}" if pos else ""
        detail = f" ({expected.group(1).strip()})" if expected else f": {' '.join(text.split())}"
        raise HoursError(f"not valid OSM opening_hours syntax{where}{detail}") from exc
    if "PH" in expr:
        expanded = expand_ph(expr, frozenset({dt.date(2026, 1, 1), dt.date(2026, 1, 2)}))
        try:
            OpeningHours(expanded)
        except (ParserError, SyntaxError, ValueError) as exc:
            raise HoursError(f"PH is used in a form that cannot be expanded to holiday dates: {exc}") from exc


@dataclass(frozen=True, slots=True)
class OpenState:
    """Open state at a moment: `open` is True / False / None (unknown); `next_change` may be None."""

    open: bool | None
    next_change: dt.datetime | None
    warning: str | None = None


_WINDOW_BEFORE: Final = dt.timedelta(days=1)
_WINDOW_AFTER: Final = dt.timedelta(days=42)
_INF: Final = float("inf")


class HoursBook:
    """The distinct hours expressions of a registry, with a vectorised open-state cache.

    Stations refer to an expression by id (`-1` = unknown hours). For each expression we keep
    the interval of constant state that contains the last evaluated moment; a lookup is then a
    few numpy comparisons. Intervals are precomputed for a window of weeks per expression, so a
    moment that leaves the cached interval costs a bisect, and only leaving the window costs a
    library call.
    """

    def __init__(self, exprs: list[str], cal: HolidayCalendar) -> None:
        self.exprs = exprs
        self.calendar = cal
        self._compiled = [compile_hours(e, cal) for e in exprs]
        n = len(exprs)
        # slot n (reachable as index -1) is the "unknown hours" sentinel, valid forever
        self._from = np.full(n + 1, _INF)
        self._until = np.full(n + 1, -_INF)
        self._state = np.full(n + 1, UNKNOWN, dtype=np.int8)
        self._from[n], self._until[n] = -_INF, _INF
        self._windows: list[tuple[float, float, list[float], list[float], list[int]] | None] = [None] * n
        self._lock = threading.Lock()
        # [valid_from, valid_until): every expression's cached state holds (small books only)
        self._all_from = _INF
        self._all_until = -_INF
        self.generation = 0  # bumped whenever `table` recomputes; lets callers cache derived values

    def __len__(self) -> int:
        return len(self.exprs)

    def _window(self, eid: int, t: float) -> tuple[float, float, list[float], list[float], list[int]]:
        win = self._windows[eid]
        if win is not None and win[0] <= t < win[1]:
            return win
        oh = self._compiled[eid]
        start = dt.datetime.fromtimestamp(t, BEIJING) - _WINDOW_BEFORE
        end = start + _WINDOW_BEFORE + _WINDOW_AFTER
        starts: list[float] = []
        ends: list[float] = []
        states: list[int] = []
        for a, b, state, _c in oh.intervals(start, end):
            code = _STATE_CODE[state]
            if states and states[-1] == code:
                ends[-1] = b.timestamp()
                continue
            starts.append(a.timestamp())
            ends.append(b.timestamp())
            states.append(code)
        if not starts:  # pragma: no cover - the iterator always yields the window
            starts, ends, states = [start.timestamp()], [end.timestamp()], [UNKNOWN]
        # the last interval was cut at the window's end: ask for its true end once
        nxt = oh.next_change(dt.datetime.fromtimestamp(starts[-1], BEIJING))
        ends[-1] = nxt.timestamp() if nxt is not None else _INF
        win = (start.timestamp(), max(end.timestamp(), starts[-1]), starts, ends, states)
        self._windows[eid] = win
        return win

    def _refresh(self, eids: NDArray[np.int32], t: float) -> None:
        stale = (self._from[eids] > t) | (self._until[eids] <= t)
        if not stale.any():
            return
        for eid in set(eids[stale].tolist()):
            _w0, _w1, starts, ends, states = self._window(eid, t)
            i = int(np.searchsorted(starts, t, side="right")) - 1
            i = max(i, 0)
            self._state[eid] = states[i]
            self._from[eid] = starts[i]
            self._until[eid] = ends[i]

    def table(self, moment: float) -> NDArray[np.int8] | None:
        """State codes of *all* expressions at a timestamp (index -1 = unknown), for books of up
        to 256 expressions; None for larger books (use `states`). Usually two float comparisons."""
        if len(self.exprs) > 256:
            return None
        with self._lock:
            if not self._all_from <= moment < self._all_until:
                self._refresh(np.arange(len(self.exprs) + 1, dtype=np.int32), moment)
                self._all_from = float(self._from.max())
                self._all_until = float(self._until.min())
                self.generation += 1
            return self._state

    def states(self, expr_ids: NDArray[np.int32], moment: float) -> NDArray[np.int8]:
        """Open-state codes (1 open, 0 closed, -1 unknown) for expression ids at a timestamp."""
        table = self.table(moment)
        if table is not None:
            return table[expr_ids]
        with self._lock:
            self._refresh(expr_ids, moment)
            return self._state[expr_ids]

    def state(self, expr_id: int, moment: dt.datetime) -> OpenState:
        """Open state and next change of one expression (for result rows, not the hot filter)."""
        when = beijing(moment)
        return self.state_at(expr_id, when.timestamp(), self.calendar.missing_year_warning(when.date()))

    def state_at(self, expr_id: int, t: float, warning: str | None = None) -> OpenState:
        """`state` for a timestamp already computed once per query (a table lookup, usually)."""
        if expr_id < 0:
            return OpenState(None, None, warning)
        table = self.table(t)
        with self._lock:
            if table is None:
                self._refresh(np.array([expr_id], dtype=np.int32), t)
            code = int(self._state[expr_id])
            until = float(self._until[expr_id])
        return OpenState(None if code == UNKNOWN else code == OPEN, _moment(until), warning)


@lru_cache(maxsize=65536)
def _moment(ts: float) -> dt.datetime | None:
    return None if ts == _INF else dt.datetime.fromtimestamp(ts, BEIJING)

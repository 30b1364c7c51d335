"""Open state of a registry's opening hours at any moment, cheap enough for every request.

Parsing, `PH` expansion and make-up workdays live in locator/hours_syntax.py (names re-exported
here); per-year evaluators in locator/hours_eval.py. This module bounds what one request costs:

* the state at a moment comes from a *window* per expression: the interval of constant state
  that starts at the moment, read from the library until the state changes (at most a day, and
  at most a dozen library intervals: comments split them). A few windows per expression are
  kept, so queries that alternate between now and another `at` stay cheap. A window costs one
  or two library calls (~10 µs each), whatever the expression: 1,000 distinct result rows stay
  under 50 ms of CPU (~45 ms measured). Evaluators are compiled at load (locator/hours_eval.py), and
  validation bounds the time spans a day (locator/hours_refuse.py);
* `next_change` looks at most HORIZON (366 days) ahead of the moment: `None` means the state
  does not change within that horizon (or never). It is searched lazily, only for result rows,
  and what was searched is remembered in the window. The library's own `next_change` is never
  called: for rules that stop (`2024-2030 …`) it scans to the year 10000 (seconds to a minute).
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from locator.holidays import HolidayCalendar
from locator.hours_eval import CLOSED, OPEN, UNKNOWN, Evaluators
from locator.hours_syntax import BEIJING, HoursError, beijing, check_syntax, compile_hours, expand_ph

__all__ = [
    "BEIJING",
    "CLOSED",
    "HORIZON",
    "OPEN",
    "UNKNOWN",
    "HoursBook",
    "HoursError",
    "OpenState",
    "beijing",
    "check_syntax",
    "compile_hours",
    "expand_ph",
    "look_ahead_warning",
]


@dataclass(frozen=True, slots=True)
class OpenState:
    """Open state at a moment: `open` is True / False / None (unknown). `next_change` is the next
    moment the state changes, or None when it does not change within HORIZON of the moment."""

    open: bool | None
    next_change: dt.datetime | None
    warning: str | None = None


HORIZON: Final = 366 * 86400.0  # seconds `next_change` looks ahead of the moment
MAX_INTERVALS: Final = 1  # a window is the interval of constant state from its moment
MAX_RAW: Final = 4096  # library intervals read per look-ahead (comments split them)
_WINDOW_RAW: Final = 12  # library intervals read per window
_DAY: Final = 86400.0
_WINDOWS_KEPT: Final = 4
_INF: Final = float("inf")


class _Window:
    """Merged intervals of one expression over [start, cut). The last interval's end is either a
    real change (`last_real`) or how far its state is known to hold (searched lazily)."""

    __slots__ = ("cut", "ends", "last_real", "start", "starts", "states")

    def __init__(self, ev: Evaluators, start: float, end: float) -> None:
        self.start, self.cut = start, end
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.states: list[int] = []
        self.last_real = False
        for raw, (a, b, code) in enumerate(ev.intervals(start, end)):
            if self.states and self.states[-1] == code:
                self.ends[-1] = b
            elif len(self.states) >= MAX_INTERVALS:
                self.cut, self.last_real = a, True
                break
            else:
                self.starts.append(a)
                self.ends.append(b)
                self.states.append(code)
            if raw >= _WINDOW_RAW:
                self.cut = b
                break
        if not self.states:  # pragma: no cover - the library always yields the window
            self.starts, self.ends, self.states = [start], [end], [UNKNOWN]
        self.ends[-1] = self.cut

    def index(self, t: float) -> int:
        return max(bisect.bisect_right(self.starts, t) - 1, 0)


class HoursBook:
    """The distinct hours expressions of a registry, with a vectorised open-state cache.

    Stations refer to an expression by id (`-1` = unknown hours). For each expression we keep
    the interval of constant state that contains the last evaluated moment; a lookup is then a
    few numpy comparisons. Leaving that interval costs a bisect in a cached window, and only
    leaving the cached windows costs library calls, bounded by the window's size (module doc).
    """

    def __init__(self, exprs: list[str], cal: HolidayCalendar) -> None:
        self.exprs = list(exprs)
        self.calendar = cal
        self._evals = [Evaluators(e, cal) for e in self.exprs]
        self._ids = {e: i for i, e in enumerate(self.exprs)}
        n = len(self.exprs)
        # slot n (reachable as index -1) is the "unknown hours" sentinel, valid forever
        self._from = np.full(n + 1, _INF)
        self._until = np.full(n + 1, -_INF)
        self._real = np.zeros(n + 1, dtype=np.bool_)  # is `_until` a real change?
        self._state = np.full(n + 1, UNKNOWN, dtype=np.int8)
        self._from[n], self._until[n] = -_INF, _INF
        self._windows: list[list[_Window]] = [[] for _ in range(n)]
        self._lock = threading.Lock()
        # [valid_from, valid_until): every expression's cached state holds (small books only)
        self._all_from = _INF
        self._all_until = -_INF
        self.generation = 0  # bumped whenever `table` recomputes; lets callers cache derived values

    def __len__(self) -> int:
        return len(self.exprs)

    def expr_id(self, expr: str | None) -> int:
        """The id of an expression of this book (-1 for unknown hours)."""
        return -1 if expr is None else self._ids[expr]

    def add(self, exprs: list[str]) -> None:
        """Grow the book by the expressions it lacks, without touching existing ids (so a Locator
        built on the book keeps working while a newer one uses the added ids). The per-expression
        arrays are replaced, not resized in place; the unknown-hours sentinel stays last."""
        new = [e for e in dict.fromkeys(exprs) if e not in self._ids]
        if not new:
            return
        evals = [Evaluators(e, self.calendar) for e in new]  # compiled outside the lock
        with self._lock:
            m = len(new)

            def grown(a: NDArray[Any], fill: object) -> NDArray[Any]:
                return np.concatenate([a[:-1], np.full(m, fill, dtype=a.dtype), a[-1:]])

            self._from, self._until = grown(self._from, _INF), grown(self._until, -_INF)
            self._real, self._state = grown(self._real, False), grown(self._state, UNKNOWN)
            self._windows.extend([] for _ in new)
            self._evals.extend(evals)
            for e in new:
                self._ids[e] = len(self.exprs)
                self.exprs.append(e)
            self._all_from, self._all_until = _INF, -_INF

    def _window(self, eid: int, t: float) -> _Window:
        wins = self._windows[eid]
        for w in wins:
            if w.start <= t < w.cut:
                return w
        win = _Window(self._evals[eid], t, t + _DAY)
        wins.insert(0, win)
        del wins[_WINDOWS_KEPT:]
        return win

    def _refresh(self, eids: NDArray[np.int32], t: float) -> None:
        stale = (self._from[eids] > t) | (self._until[eids] <= t)
        if not stale.any():
            return
        for eid in set(eids[stale].tolist()):
            self._refresh_one(eid, t)

    def _refresh_one(self, eid: int, t: float) -> None:
        if self._from[eid] <= t < self._until[eid]:
            return
        win = self._window(eid, t)
        i = win.index(t)
        self._state[eid] = win.states[i]
        self._from[eid] = win.starts[i]
        self._until[eid] = win.ends[i]
        self._real[eid] = i < len(win.states) - 1 or win.last_real

    def _next_change(self, eid: int, t: float) -> float:
        """The next change after t within HORIZON (inf if none); `_refresh` ran for t."""
        limit = t + HORIZON
        if self._real[eid]:
            until = float(self._until[eid])
            return until if until <= limit else _INF
        win = self._window(eid, t)
        i = win.index(t)
        if i == len(win.states) - 1 and not win.last_real and win.ends[-1] < limit:
            self._look_ahead(eid, win, limit)
        self._from[eid], self._until[eid] = win.starts[i], win.ends[i]
        self._real[eid] = i < len(win.states) - 1 or win.last_real
        return win.ends[i] if self._real[eid] and win.ends[i] <= limit else _INF

    def _look_ahead(self, eid: int, win: _Window, limit: float) -> None:
        """Extend the window's last interval to its real end, or to `limit` if none comes first.
        Past MAX_RAW library intervals of one state (comments split them) it stops, as at `limit`."""
        code, known = win.states[-1], win.ends[-1]
        for raw, (a, b, c) in enumerate(self._evals[eid].intervals(known, limit)):
            if c != code:
                win.ends[-1], win.last_real = a, True
                return
            known = b
            if raw >= MAX_RAW:
                break
        win.ends[-1] = max(win.ends[-1], known)

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
                self._refresh_one(expr_id, t)
            code = int(self._state[expr_id])
            until = self._next_change(expr_id, t)
        return OpenState(None if code == UNKNOWN else code == OPEN, _moment(until), warning)


def look_ahead_warning(cal: HolidayCalendar, t: float, state: OpenState) -> str | None:
    """The missing-holiday-data warning for the first year after t's that the state's look-ahead
    (up to its next change, else HORIZON) reaches and the holiday table does not cover: there,
    PH and make-up workdays are not applied, so `open` may hold, or `next_change` be missing,
    wrongly. Applies to every expression (make-up workdays change any weekday schedule)."""
    if state.open is None:
        return None
    end = state.next_change.timestamp() if state.next_change is not None else t + HORIZON
    year = _year(t)
    while end >= _jan1(year + 1):
        year += 1
        if not cal.covers(year):
            return cal.missing_year_warning(dt.date(year, 1, 1))
    return None


def _year(t: float) -> int:
    return dt.datetime.fromtimestamp(t, BEIJING).year


@lru_cache(maxsize=256)
def _jan1(year: int) -> float:
    return dt.datetime(year, 1, 1, tzinfo=BEIJING).timestamp()


@lru_cache(maxsize=65536)
def _moment(ts: float) -> dt.datetime | None:
    return None if ts == _INF else dt.datetime.fromtimestamp(ts, BEIJING)

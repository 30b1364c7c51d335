"""Opening-hours text: syntax checks (with a cost bound), PH expansion and make-up workdays.

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

Cost bound: an expression is at most MAX_LENGTH characters (OSM's limit for a tag value). That
bounds how many rules the library checks per day and how often the state can change in a day
(~40 times at most), which is what evaluation costs grow with; see locator/hours.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

from locator.holidays import HolidayCalendar
from locator.hours_hints import hint
from locator.hours_refuse import unsupported

BEIJING: Final = ZoneInfo("Asia/Shanghai")
MAX_LENGTH: Final = 255
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PH_ALONE: Final = re.compile(r'^PH(?=$|\s+(?:\d|off\b|closed\b|open\b|unknown\b|"))')
_PH_JOINED: Final = re.compile(r"^((?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?,?)+),PH(?=\s|$)")
_PH_LEADING: Final = re.compile(r"^PH,((?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?,?)+)(?=\s|$)")
_NEVER: Final = "1900 Jan 01"  # a date selector that matches nothing we evaluate


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


@lru_cache(maxsize=1024)
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


_RULE_PARTS: Final = re.compile(r'("[^"]*"?)|(;|\|\|)')


@lru_cache(maxsize=8192)
def _split_rules(expr: str) -> tuple[tuple[str, str], ...]:
    """Split on `;` and `||` (outside quoted comments) → ((separator_before, rule), …)."""
    out: list[tuple[str, str]] = []
    sep, start = "", 0
    for m in _RULE_PARTS.finditer(expr):
        if m.group(2):
            out.append((sep, expr[start : m.start()].strip()))
            sep = "; " if m.group(2) == ";" else " || "
            start = m.end()
    out.append((sep, expr[start:].strip()))
    return tuple(out)


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


def make_up_hours(expr: str, cal: HolidayCalendar) -> dict[dt.date, str]:
    """Hours each make-up workday gets, for the days where they differ from its own weekday's."""
    check_syntax(expr)
    oh = OpeningHours(expand_ph(expr, cal.days_off), timezone=BEIJING)
    out: dict[dt.date, str] = {}
    for day in sorted(cal.workdays):
        hours = _day_hours(oh, _reference_wednesday(day, cal))
        if hours != _day_hours(oh, day):
            out[day] = hours
    return out


def assemble(expr: str, days_off: frozenset[dt.date], make_up: Mapping[dt.date, str]) -> str:
    """The expression with PH expanded to `days_off` and one dated rule per make-up hours."""
    rules = [expand_ph(expr, days_off)]
    by_hours: dict[str, list[dt.date]] = {}
    for day in sorted(make_up):
        by_hours.setdefault(make_up[day], []).append(day)
    for hours, days in by_hours.items():
        rules.append(f"{','.join(_date_sel(d) for d in days)} {hours}")
    return "; ".join(rules)


def compile_hours(expr: str, cal: HolidayCalendar) -> OpeningHours:
    """Validate `expr` and return an evaluator with PH and make-up workdays applied."""
    text = assemble(expr, cal.days_off, make_up_hours(expr, cal))
    try:
        return OpeningHours(text, timezone=BEIJING)
    except (ParserError, SyntaxError, ValueError) as exc:  # pragma: no cover - raw text parsed already
        raise HoursError(f"cannot apply the holiday table to {expr!r}: {exc}") from exc


@lru_cache(maxsize=4096)
def check_syntax(expr: str) -> None:
    """Raise HoursError naming the position when `expr` is not valid OSM opening_hours, or is
    longer than MAX_LENGTH (what to simplify is in the message)."""
    if not expr.strip():
        raise HoursError("empty string (use null when the hours are unknown)")
    if len(expr) > MAX_LENGTH:
        raise HoursError(
            f"{len(expr)} characters; at most {MAX_LENGTH} are accepted (OSM's limit for a tag value, and what keeps "
            "evaluation cheap): merge rules that share hours (Mo-Fr, not Mo,Tu,We,Th,Fr), join adjacent time spans, "
            "and keep notes in a comment of a few words or in another field"
        )
    try:
        OpeningHours(expr)
    except (ParserError, SyntaxError, ValueError) as exc:
        text = str(exc)
        pos = re.search(r"--> 1:(\d+)", text)
        expected = re.search(r"= (expected .*)", text)
        where = f" at character {pos.group(1)}" if pos else ""
        detail = f" ({expected.group(1).strip()})" if expected else f": {' '.join(text.split())}"
        raise HoursError(f"not valid OSM opening_hours syntax{where}{detail}{hint(expr)}") from exc
    refused = unsupported(expr)
    if refused:
        raise HoursError(refused)
    if "PH" in expr:
        expanded = expand_ph(expr, frozenset({dt.date(2026, 1, 1), dt.date(2026, 1, 2)}))
        try:
            OpeningHours(expanded)
        except (ParserError, SyntaxError, ValueError) as exc:
            raise HoursError(f"PH is used in a form that cannot be expanded to holiday dates: {exc}") from exc

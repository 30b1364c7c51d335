"""Chinese statutory days off and make-up workdays (调休上班日), kept as data staff can extend.

The table is a CSV (`date,kind,name`; kind = `off` or `workday`) in `data/holidays_cn.csv`,
built from the chinese-calendar package for the years it covers (scripts/build_holidays.py).
When the State Council publishes a new year, staff append its rows. A year is *covered* when
the table has at least one row in it; evaluating a moment in an uncovered year gives a warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from locator.errors import Problem, RegistryInvalid
from locator.shipped import shipped

DEFAULT_HOLIDAYS = shipped("holidays_cn.csv")
KINDS = ("off", "workday")


@dataclass(frozen=True)
class HolidayCalendar:
    days_off: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    names: dict[dt.date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    source: str = ""

    def covers(self, year: int) -> bool:
        return year in self.years

    def coverage(self) -> tuple[int, int] | None:
        """First and last covered year (None when the table is empty)."""
        return (min(self.years), max(self.years)) if self.years else None

    def missing_year_warning(self, day: dt.date) -> str | None:
        if self.covers(day.year):
            return None
        return (
            f"no Chinese holiday data for {day.year}: public holidays (PH) and make-up workdays are not "
            f"applied for that year; add its rows to {self.source or 'the holiday table'}"
        )


def holidays_path() -> Path:
    env = os.environ.get("LOCATOR_HOLIDAYS")
    return Path(env) if env else DEFAULT_HOLIDAYS


def load_holidays(path: Path | None = None) -> HolidayCalendar:
    """Read the holiday table; every bad row is reported (RegistryInvalid), none is guessed."""
    path = path or holidays_path()
    problems: list[Problem] = []
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"date", "kind"} - set(reader.fieldnames or ())
        if missing:
            raise RegistryInvalid(str(path), [Problem(f"{path}:1", "header", f"missing column(s) {sorted(missing)}")])
        for row_no, row in enumerate(reader, start=2):
            place = f"{path}:{row_no}"
            try:
                day = dt.date.fromisoformat((row.get("date") or "").strip())
            except ValueError:
                problems.append(Problem(place, "date", f"{row.get('date')!r} is not a YYYY-MM-DD date"))
                continue
            kind = (row.get("kind") or "").strip()
            if kind not in KINDS:
                problems.append(Problem(place, "kind", f"{kind!r} is not allowed (allowed: {', '.join(KINDS)})"))
                continue
            if day in off or day in work:
                problems.append(Problem(place, "date", f"{day} is listed twice"))
                continue
            (off if kind == "off" else work).add(day)
            names[day] = (row.get("name") or "").strip()
    if problems:
        raise RegistryInvalid(str(path), problems)
    years = frozenset(d.year for d in off | work)
    return HolidayCalendar(frozenset(off), frozenset(work), names, years, str(path))

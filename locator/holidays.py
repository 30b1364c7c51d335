"""Chinese statutory days off and make-up workdays (调休上班日), kept as data staff can extend.

The table is a CSV (`date,kind,name`; kind = `off` or `workday`) in `data/holidays_cn.csv`,
built from the chinese-calendar package for the years it covers (scripts/build_holidays.py).
When the State Council publishes a new year, `locator holidays import NOTICE.txt` appends its
rows (locator/holiday_notice.py).

Which notice a row belongs to (`notice_years`): its own year's, except the New-Year period that
starts in late December — the rows of the December days, each off or a make-up workday, that run
without a gap through 31 December (an `off` day) into an `off` 1 January belong to the next year's
notice (`2027年12月31日至2028年1月2日` is the 2028 notice's). A year is *covered* when the table
holds rows of that year's notice: a lone late-December run does not cover its calendar year.
Evaluating a moment in an uncovered year gives a warning; `--replace-year` replaces exactly the
rows of that year's notice. Which table is in use (`$LOCATOR_HOLIDAYS`, the user's copy, the
shipped one) is decided at the edge (`cli_holidays.holidays_path(env)`); this module reads no
environment and takes the path. A table that cannot be read (not UTF-8, a line with the wrong
number of cells, a bad date or kind) raises HolidayTableInvalid naming the file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
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


def notice_years(kinds: Mapping[dt.date, str]) -> dict[dt.date, int]:
    """The year of the notice each row ({date: kind}) belongs to (see the module docstring)."""
    owner = {day: day.year for day in kinds}
    for year in {d.year for d in kinds}:
        if kinds.get(dt.date(year, 12, 31)) != "off" or kinds.get(dt.date(year + 1, 1, 1)) != "off":
            continue
        day = dt.date(year, 12, 31)
        while day.month == 12 and day in kinds:
            owner[day] = year + 1
            day -= dt.timedelta(days=1)
    return owner


class HolidayTableInvalid(RegistryInvalid):
    """The holiday table cannot be read (bad encoding, a broken line, a bad date or kind)."""


def user_holidays_path(data_home: str | None, home: Path) -> Path:
    """The user's own copy of the table (`$XDG_DATA_HOME/locator/holidays_cn.csv`, by default
    `~/.local/share/locator/holidays_cn.csv`): where `locator holidays import` writes when the
    shipped table is read-only (an installed package)."""
    base = Path(data_home) if data_home else home / ".local" / "share"
    return base / "locator" / "holidays_cn.csv"


def table_in_use(explicit: str | None, user: Path) -> Path:
    """`explicit` (the edge's `$LOCATOR_HOLIDAYS`), else the user's copy when it exists, else the
    shipped table."""
    if explicit:
        return Path(explicit)
    return user if user.is_file() else DEFAULT_HOLIDAYS


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise HolidayTableInvalid(
            str(path),
            [Problem(f"{path}:{line}", "encoding", f"byte 0x{bad} is not UTF-8 (save the file as UTF-8)")],
        ) from None


def parse_holidays(path: Path, raw: bytes) -> HolidayCalendar:
    """Parse the table's bytes; every bad line is reported (HolidayTableInvalid), none is guessed."""
    text = _decode(path, raw)
    problems: list[Problem] = []
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = {"date", "kind"} - set(header)
        if missing:
            raise HolidayTableInvalid(
                str(path),
                [Problem(f"{path}:1", "header", f"missing column(s) {sorted(missing)} (expected date,kind,name)")],
            )
        for cells in reader:
            place = f"{path}:{reader.line_num}"
            if not cells or not "".join(cells).strip():
                continue  # blank line
            if len(cells) != len(header):
                problems.append(Problem(place, "row", f"has {len(cells)} cell(s), the header has {len(header)}"))
                continue
            row = dict(zip(header, cells, strict=True))
            try:
                day = dt.date.fromisoformat(row["date"].strip())
            except ValueError:
                problems.append(Problem(place, "date", f"{row['date']!r} is not a YYYY-MM-DD date"))
                continue
            kind = row["kind"].strip()
            if kind not in KINDS:
                problems.append(Problem(place, "kind", f"{kind!r} is not allowed (allowed: {', '.join(KINDS)})"))
                continue
            if day in off or day in work:
                problems.append(Problem(place, "date", f"{day} is listed twice"))
                continue
            (off if kind == "off" else work).add(day)
            names[day] = (row.get("name") or "").strip()
    except csv.Error as exc:
        problems.append(Problem(f"{path}:{reader.line_num}", "row", f"not valid CSV: {exc}"))
    if problems:
        raise HolidayTableInvalid(str(path), problems)
    kinds = {d: "off" for d in off} | {d: "workday" for d in work}
    years = frozenset(notice_years(kinds).values())
    return HolidayCalendar(frozenset(off), frozenset(work), names, years, str(path))


def load_holidays(path: Path = DEFAULT_HOLIDAYS) -> HolidayCalendar:
    """Read the holiday table (default: the shipped one; the faces pass the table in use)."""
    return parse_holidays(path, path.read_bytes())

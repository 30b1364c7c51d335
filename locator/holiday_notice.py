"""The State Council's yearly holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) as rows of the
holiday table: text in, rows and problems out (pure; `locator holidays import` writes them).

Each numbered item reads like `二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，
共9天。2月14日（周六）、2月28日（周六）上班。` or `一、元旦：1月1日（周三）放假1天，不调休。`. Dates without a
year are in the notice's year; a date may name its year (`2018年12月30日`), which is accepted only
for the December before the notice's year (a New-Year period or make-up day that starts early).
Checked: weekday names match the dates, 共N天 matches the period, make-up days fall on a
weekend and outside every period, periods do not overlap, every date is in the year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from locator.errors import Problem

_TITLE: Final = re.compile(r"关于\s*(\d{4})\s*年.{0,6}节假日安排")
_ITEM: Final = re.compile(r"^\s*[一二三四五六七八九十]+\s*、\s*([^：:]{1,30})[：:](.*)$")
_DATE: Final = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*[（(]([^）)]*)[）)])?")
_WEEKDAY: Final = re.compile(r"(?:周|星期)([一二三四五六日天])")
_COUNT: Final = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
_WEEKDAY_NO: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_ZH: Final = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

Row = tuple[dt.date, str, str]  # date, kind ("off" | "workday"), name


@dataclass
class Notice:
    year: int | None
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def notice_year(text: str) -> int | None:
    m = _TITLE.search(text)
    return int(m.group(1)) if m else None


class _Item:
    def __init__(self, source: str, line_no: int, name: str, year: int, problems: list[Problem]) -> None:
        self.place = f"{source}:{line_no}"
        self.name = name
        self.year = year
        self.problems = problems

    def fail(self, message: str) -> None:
        self.problems.append(Problem(self.place, self.name, message))

    def dates(self, text: str, month: int | None = None) -> list[dt.date]:
        """Every date in `text`; a date without a month takes the previous one's month."""
        out: list[dt.date] = []
        for m in _DATE.finditer(text):
            year = int(m.group(1)) if m.group(1) else self.year
            month = int(m.group(2)) if m.group(2) else month
            if month is None:
                self.fail(f"{m.group(0)!r} has no month")
                continue
            try:
                day = dt.date(year, month, int(m.group(3)))
            except ValueError:
                self.fail(f"{m.group(0)!r} is not a date of {year}")
                continue
            if not (day.year == self.year or (day.year == self.year - 1 and day.month == 12 and m.group(1))):
                self.fail(f"{day} is not in {self.year} (only the December before may be named, with its year)")
            named = _WEEKDAY.findall(m.group(4) or "")
            if named and _WEEKDAY_NO[named[-1]] != day.weekday():
                self.fail(f"{day} is a {_WEEKDAY_ZH[day.weekday()]}, the notice says 周{named[-1]}")
            out.append(day)
        return out


def _period(item: _Item, sentence: str) -> list[dt.date]:
    head = sentence.split("放假", 1)[0]
    parts = head.split("至")
    if len(parts) > 2:
        item.fail(f"cannot read the period {sentence!r}")
        return []
    ends = [item.dates(parts[0])]
    if len(parts) == 2:
        ends.append(item.dates(parts[1], ends[0][0].month if len(ends[0]) == 1 else None))
    if any(len(e) != 1 for e in ends):
        item.fail(f"cannot read the period {sentence!r} (expected `M月D日…至D日…放假`)")
        return []
    first, last = ends[0][0], ends[-1][0]
    if last < first:
        item.fail(f"the period ends ({last}) before it starts ({first})")
        return []
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    count = _COUNT.search(sentence)
    if count and int(count.group(1)) != len(days):
        item.fail(f"共{count.group(1)}天 but {first}–{last} is {len(days)} day(s)")
    return days


def parse_notice(text: str, source: str = "notice", year: int | None = None) -> Notice:
    """Rows (sorted by date) and problems of a notice; `year` overrides/completes the title's."""
    problems: list[Problem] = []
    titled = notice_year(text)
    if year is not None and titled is not None and year != titled:
        problems.append(Problem(f"{source}:1", "year", f"--year {year} but the notice is for {titled}"))
    the_year = year if year is not None else titled
    if the_year is None:
        problems.append(
            Problem(f"{source}:1", "year", "no year in the title (…关于20XX年部分节假日安排的通知); give --year")
        )
        return Notice(None, [], problems)
    rows: dict[dt.date, tuple[str, str, str]] = {}  # date → kind, name, place
    items = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        m = _ITEM.match(line)
        if not m or not _DATE.search(m.group(2)):
            continue
        items += 1
        item = _Item(source, line_no, m.group(1).strip(), the_year, problems)
        sentences = [s.strip() for s in re.split(r"[。；;]", m.group(2)) if s.strip()]
        off: list[dt.date] = []
        work: list[dt.date] = []
        for sentence in sentences:
            if "放假" in sentence and _DATE.search(sentence):
                if off:
                    item.fail(f"a second period in one item: {sentence!r}")
                off = _period(item, sentence)
            elif "上班" in sentence:
                work = item.dates(sentence.split("上班", 1)[0])
            elif _DATE.search(sentence):
                item.fail(f"cannot read {sentence!r} (neither 放假 nor 上班)")
        if not off:
            item.fail("no 放假 period found")
        for day in work:
            if day.weekday() < 5:
                item.fail(f"make-up workday {day} is a {_WEEKDAY_ZH[day.weekday()]}, not a weekend day")
        for kind, days in (("off", off), ("workday", work)):
            for day in days:
                if day in rows:
                    item.fail(f"{day} is already {rows[day][0]} in item {rows[day][1]} ({rows[day][2]})")
                    continue
                rows[day] = (kind, item.name, item.place)
    if not items:
        problems.append(Problem(f"{source}:1", "notice", "no numbered holiday items (一、元旦：1月1日…放假…) found"))
    return Notice(the_year, [(d, k, n) for d, (k, n, _p) in sorted(rows.items())], problems)


def conflicts(
    rows: Iterable[Row], existing: dict[dt.date, str], years: frozenset[int], year: int, source: str, replace: bool
) -> list[Problem]:
    """Problems adding `rows` (of notice year `year`) to a table with `existing` {date: kind}."""
    problems: list[Problem] = []
    if year in years and not replace:
        problems.append(Problem(source, "year", f"the table already has rows for {year} (use --replace-year)"))
        return problems
    for day, kind, _name in rows:
        if day.year == year and replace:
            continue
        if day in existing and existing[day] != kind:
            problems.append(Problem(source, str(day), f"the table has it as {existing[day]}, the notice as {kind}"))
    return problems


def merged_table(text: str, rows: Iterable[Row], year: int, replace: bool) -> tuple[str, list[Row]]:
    """The table's text with `rows` appended (rows of `year` dropped first when replacing; rows
    already present as they are skipped) and the rows actually added."""
    lines = text.splitlines()
    header, body = lines[:1], lines[1:]
    if replace:
        body = [ln for ln in body if not ln.startswith(f"{year}-")]
    present = {ln.split(",", 2)[0].strip() + "," + ln.split(",", 2)[1].strip() for ln in body if ln.count(",") >= 1}
    added = [r for r in rows if f"{r[0].isoformat()},{r[1]}" not in present]
    body += [f"{d.isoformat()},{k},{n}" for d, k, n in added]
    return "\n".join(header + body) + "\n", added

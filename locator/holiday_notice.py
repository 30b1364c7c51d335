"""The State Council's yearly holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) as rows of the
holiday table: text in, rows and problems out (pure; `locator holidays import` writes them).

Each numbered item reads like `二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，
共9天。2月14日（周六）、2月28日（周六）上班。` or `一、元旦：1月1日（周三）放假1天，不调休。`. An item goes on
over the following lines that speak of days off or work (a make-up sentence pasted on its own line)
until the next item. It is cut into clauses (at 。，；. outside parentheses) and each date is a day
off or a make-up workday by the nearest 放假/休 or 上班/补班 of its clause, wherever the date stands
(`上班：1月9日（周六）` too); a clause with digits that are not understood as dates is an error, never
skipped. Dates without a year are in the notice's year; a date may name its year (`2018年12月30日`),
which is accepted only for the December before the notice's year (a New-Year period or make-up day
that starts early). Checked: weekday names match the dates, 共N天 matches the period, make-up days
fall on a weekend and outside every period, periods do not overlap, every date is in the year, and
every statutory holiday (STATUTORY; 中秋节 and 国庆节 may share an item) has an item unless the
notice is accepted as partial (a supplementary notice).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final

from locator.errors import Problem

_TITLE: Final = re.compile(r"关于\s*(\d{4})\s*年.{0,6}节假日安排")
_ITEM: Final = re.compile(r"^\s*[一二三四五六七八九十]+\s*、\s*([^：:]{1,30})[：:](.*)$")
_DATE: Final = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*[（(]([^）)]*)[）)])?")
_WEEKDAY: Final = re.compile(r"(?:周|星期)([一二三四五六日天])")
_COUNT: Final = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
_KEYWORD: Final = re.compile(r"放假|休|上班|补班")  # 补班: the everyday word for 上班 on a make-up day
_WORK: Final = ("上班", "补班")
_CLAUSE_END: Final = "。；;，,.．\n"
STATUTORY: Final = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
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
        self.source = source
        self.line_no = line_no
        self.name = name
        self.year = year
        self.problems = problems

    def fail(self, message: str, line_no: int | None = None) -> None:
        self.problems.append(Problem(f"{self.source}:{line_no or self.line_no}", self.name, message))

    def dates(self, text: str, line_no: int, month: int | None = None) -> list[tuple[dt.date, int, int]]:
        """Every date in `text` with its span; a date without a month takes the previous one's month."""
        out: list[tuple[dt.date, int, int]] = []
        for m in _DATE.finditer(text):
            year = int(m.group(1)) if m.group(1) else self.year
            month = int(m.group(2)) if m.group(2) else month
            if month is None:
                self.fail(f"{m.group(0)!r} has no month", line_no)
                continue
            try:
                day = dt.date(year, month, int(m.group(3)))
            except ValueError:
                self.fail(f"{m.group(0)!r} is not a date of {year}", line_no)
                continue
            if not (day.year == self.year or (day.year == self.year - 1 and day.month == 12 and m.group(1))):
                why = "only the December before may be named, with its year"
                self.fail(f"{day} is not in {self.year} ({why})", line_no)
            named = _WEEKDAY.findall(m.group(4) or "")
            if named and _WEEKDAY_NO[named[-1]] != day.weekday():
                self.fail(f"{day} is a {_WEEKDAY_ZH[day.weekday()]}, the notice says 周{named[-1]}", line_no)
            out.append((day, m.start(), m.end()))
        return out


def _clauses(text: str) -> list[str]:
    """`text` cut at clause ends (。；，. and the like) outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        if depth == 0 and ch in _CLAUSE_END:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [c.strip() for c in out if c.strip()]


def _kind(clause: str, start: int, end: int) -> str | None:
    """`off` or `workday` by the keyword nearest the date at [start, end) (None: none or a tie)."""
    best: dict[str, int] = {}
    for k in _KEYWORD.finditer(clause):
        gap = k.start() - end if k.start() >= end else start - k.end()
        kind = "workday" if k.group(0) in _WORK else "off"
        best[kind] = min(best.get(kind, gap), gap)
    if not best or best.get("off") == best.get("workday"):
        return None
    return min(best, key=lambda kind: best[kind])


def _period(item: _Item, clause: str, ends: list[tuple[dt.date, int, int]], line_no: int) -> list[dt.date]:
    if len(ends) > 2 or (len(ends) == 2 and "至" not in clause[ends[0][2] : ends[1][1]]):
        item.fail(f"cannot read the period {clause!r} (expected `M月D日…至D日…放假`)", line_no)
        return []
    first, last = ends[0][0], ends[-1][0]
    if last < first:
        item.fail(f"the period ends ({last}) before it starts ({first})", line_no)
        return []
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _items(text: str, source: str, problems: list[Problem]) -> list[tuple[int, str, list[tuple[int, str]]]]:
    """The numbered items: (line, name, [(line, text)]): an item goes on over the following lines
    that speak of days off or work (a make-up sentence pasted on its own line) until the next item
    or a line about something else."""
    items: list[tuple[int, str, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        m = _ITEM.match(line)
        if m:
            current = [(line_no, m.group(2))] if _DATE.search(m.group(2)) else None
            if current is not None:
                items.append((line_no, m.group(1).strip(), current))
        elif not line.strip():
            continue
        elif current is not None and _KEYWORD.search(line):
            current.append((line_no, line))
        else:
            current = None
            if any(w in line for w in _WORK) and _DATE.search(line):
                problems.append(Problem(f"{source}:{line_no}", "notice", "a make-up workday outside a numbered item"))
    return items


def _read_item(item: _Item, parts: list[tuple[int, str]]) -> tuple[list[dt.date], list[dt.date]]:
    """The days off and the make-up workdays of one item; every date is classified by the
    nearest 放假/休 or 上班 of its clause, and a clause with digits not understood is an error."""
    off: list[dt.date] = []
    work: list[dt.date] = []
    month: int | None = None
    for line_no, part in parts:
        for clause in _clauses(part):
            found = item.dates(clause, line_no, month)
            month = found[-1][0].month if found else month
            rest = _COUNT.sub("", _DATE.sub("", clause))  # digits left: a date not understood
            if re.search(r"\d", rest) or (any(w in clause for w in _WORK) and not found):
                item.fail(f"cannot read the dates of {clause!r}", line_no)
                continue
            kinds = [(_kind(clause, s, e), (d, s, e)) for d, s, e in found]
            if any(k is None for k, _ in kinds):
                item.fail(f"cannot read {clause!r} (neither 放假 nor 上班 next to each date)", line_no)
                continue
            ends = [x for k, x in kinds if k == "off"]
            if ends:
                if off:
                    item.fail(f"a second period in one item: {clause!r}", line_no)
                off = _period(item, clause, ends, line_no)
            work += [d for k, (d, _s, _e) in kinds if k == "workday"]
    counts = _COUNT.findall("".join(p for _n, p in parts))
    for count in counts:
        if off and int(count) != len(off):
            item.fail(f"共{count}天 but {off[0]}–{off[-1]} is {len(off)} day(s)")
    return off, work


def parse_notice(text: str, source: str = "notice", year: int | None = None, partial: bool = False) -> Notice:
    """Rows (sorted by date) and problems of a notice; `year` overrides/completes the title's.
    A yearly notice names all the statutory holidays; `partial` accepts one that names only some
    (a supplementary notice, such as an extended Spring Festival)."""
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
    rows: dict[dt.date, tuple[str, str, int]] = {}  # date → kind, name, line
    items = _items(text, source, problems)
    for line_no, name, parts in items:
        item = _Item(source, line_no, name, the_year, problems)
        off, work = _read_item(item, parts)
        if not off:
            item.fail("no 放假 period found")
        for day in work:
            if day.weekday() < 5:
                item.fail(f"make-up workday {day} is a {_WEEKDAY_ZH[day.weekday()]}, not a weekend day")
        for kind, days in (("off", off), ("workday", work)):
            for day in days:
                if day in rows:
                    item.fail(f"{day} is already {rows[day][0]} in item {rows[day][1]} ({source}:{rows[day][2]})")
                    continue
                rows[day] = (kind, item.name, line_no)
    if not items:
        problems.append(Problem(f"{source}:1", "notice", "no numbered holiday items (一、元旦：1月1日…放假…) found"))
    elif not partial:
        missing = [h for h in STATUTORY if not any(h.rstrip("节") in name for _l, name, _p in items)]
        if missing:
            problems.append(
                Problem(
                    f"{source}:1",
                    "notice",
                    f"no item for {'、'.join(missing)}: a yearly notice names every statutory holiday "
                    "(give --partial for a notice that changes only some)",
                )
            )
    return Notice(the_year, [(d, k, n) for d, (k, n, _l) in sorted(rows.items())], problems)

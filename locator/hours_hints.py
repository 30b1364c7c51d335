"""What staff write instead of OSM opening_hours, and the OSM form to suggest.

`24小时`, `周一至周五 9:00-17:00`, `Mon-Fri 9-17`, `早8点到晚8点`: the parser only says what token
it expected. `osm_form` rewrites the common forms (Chinese and English weekdays, one-digit and
bare hours, 点, full-width punctuation, 至/到/~ between times) and offers the result when it
parses; otherwise `hint` names the first form it recognises.

An end hour not after the start with no marker (上午/下午/晚上/凌晨/次日…) is not read as overnight:
`9点到5点` and `9:00-5:00` most likely mean 17:00, so the suggestion says it read 5点 as 17:00; when
12 hours later still ends before the start (`20点到6点`), nothing is suggested rather than a guess.
A start written on the 24-hour clock at 12 or later (`22:00-6:00`) is overnight as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]

_ALL_DAY: Final = re.compile(
    r"^\s*(?:24\s*(?:小时|h|hours?|hrs?)|全天(?:开放)?|全天候|全年无休|00:00\s*-\s*24:00)\s*$", re.I
)
_DAYS_ZH: Final = {"一": "Mo", "二": "Tu", "三": "We", "四": "Th", "五": "Fr", "六": "Sa", "日": "Su", "天": "Su"}
_DAYS_EN: Final = {
    "mon": "Mo", "tue": "Tu", "wed": "We", "thu": "Th", "fri": "Fr", "sat": "Sa", "sun": "Su",
}  # fmt: skip
_MARK: Final = r"(?:早上?|上午|凌晨|中午|下午|晚上?|夜里?|次日|第二天|翌日)"
_PM: Final = ("下午", "晚", "晚上", "夜", "夜里")
_SPAN: Final = re.compile(
    rf"(?<![\d:])(?P<m1>{_MARK})?(?P<h1>\d{{1,2}})(?:[点时](?:\d{{1,2}}分?)?|(?P<colon>[:：]\d{{2}}))?"
    r"\s*(?:至|到|~|～|—|–|－|-)\s*"
    rf"(?P<m2>{_MARK})?(?P<h2>\d{{1,2}})(?P<unit>[点时]|[:：](?=\d{{2}}))?(?P<min>\d{{1,2}}分?)?(?![\d:])"
)
_REWRITES: Final[list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]]] = [
    (re.compile(r"[：]"), ":"),
    (re.compile(r"次日|第二天|翌日"), ""),
    (re.compile(r"\s*(?:至|到|~|～|—|–|－)\s*"), "-"),
    (re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])"), lambda m: _DAYS_ZH[m.group(1)]),
    (re.compile(r"工作日"), "Mo-Fr"),
    (re.compile(r"(?:每天|每日|天天)"), "Mo-Su"),
    (re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?", re.I), lambda m: _DAYS_EN[m.group(1).lower()]),
    (
        re.compile(r"(?:早上?|上午|凌晨)(\d{1,2})(?:点|时)(?:(\d{1,2})分?)?"),
        lambda m: f"{m.group(1)}:{m.group(2) or '00'}",
    ),
    (
        re.compile(r"(?:晚上?|下午)(\d{1,2})(?:点|时)(?:(\d{1,2})分?)?"),
        lambda m: f"{int(m.group(1)) % 12 + 12}:{m.group(2) or '00'}",
    ),
    (re.compile(r"(\d{1,2})(?:点|时)(?:(\d{1,2})分?)?"), lambda m: f"{m.group(1)}:{m.group(2) or '00'}"),
    (re.compile(r"(?<![\d:])(\d{1,2})-(\d{1,2})(?![\d:])"), r"\1:00-\2:00"),
    (re.compile(r"(?<![\d:])(\d):"), r"0\1:"),
    (re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=[\u4e00-\u9fff])(?=[\dA-Z])"), " "),
    (re.compile(r"\s*[，,]\s*(?=\d)"), ","),
    (re.compile(r"[^\x00-\x7f]+"), " "),
]


def _parses(expr: str) -> bool:
    try:
        OpeningHours(expr)
    except (ParserError, SyntaxError, ValueError):
        return False
    return True


def _read_end_hours(expr: str) -> tuple[str, list[str]] | None:
    """`expr` with unmarked end hours that would run overnight read as p.m.; the notes saying so.

    None when an end hour stays ambiguous (its p.m. reading still ends before the start)."""
    notes: list[str] = []
    ambiguous = False

    def fix(m: re.Match[str]) -> str:
        nonlocal ambiguous
        h1, h2 = int(m.group("h1")), int(m.group("h2"))
        start = h1 % 12 + 12 if m.group("m1") in _PM else h1
        if m.group("m2") or h2 == 0 or h2 > start or h1 > 24:
            return m.group(0)
        if m.group("colon") and start >= 12:  # `22:00-6:00`: a 24-hour clock, so overnight as written
            return m.group(0)
        if h2 <= 11 and h2 + 12 > start:
            minutes = int(re.sub(r"\D", "", m.group("min") or "") or 0)
            unit = m.group("unit") or ""
            written = f"{h2}:{minutes:02d}" if unit in (":", "：") else f"{h2}{unit}"
            notes.append(f"read {written} as {h2 + 12}:{minutes:02d}")
            cut = m.start("h2") - m.start()
            return m.group(0)[:cut] + str(h2 + 12) + m.group(0)[cut + len(m.group("h2")) :]
        ambiguous = True
        return m.group(0)

    text = _SPAN.sub(fix, expr)
    return None if ambiguous else (text, notes)


def overnight_doubts(expr: str) -> list[str]:
    """Spans of valid hours that run past midnight although the start is a morning hour
    (`09:00-05:00`: most likely 17:00 was meant). Warnings, not errors: OSM reads them overnight."""
    doubts = []
    for m in _SPAN.finditer(expr):
        h1, h2 = int(m.group("h1")), int(m.group("h2"))
        if m.group("m1") or m.group("m2") or not m.group("colon") or m.group("unit") not in (":", "："):
            continue
        if 0 < h2 < h1 < 12 and h2 + 12 > h1:
            minutes = int(re.sub(r"\D", "", m.group("min") or "") or 0)
            doubts.append(
                f"{m.group(0)!r} runs past midnight; if it closes at {h2 + 12}:{minutes:02d}, write "
                f"{h1:02d}{m.group('colon')}-{h2 + 12}:{minutes:02d}"
            )
    return doubts


def suggestion(expr: str) -> tuple[str, str] | None:
    """The OSM expression staff most likely meant and a note on how it was read; None if unsure."""
    if _ALL_DAY.match(expr):
        return "24/7", ""
    read = _read_end_hours(expr)
    if read is None:
        return None
    text, notes = read
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    text = " ".join(text.split())
    if not text or text == expr or not _parses(text):
        return None
    return text, (f" ({'; '.join(notes)}; write 次日 for overnight)" if notes else "")


def osm_form(expr: str) -> str | None:
    """The OSM expression staff most likely meant, when the rewrite parses; else None."""
    found = suggestion(expr)
    return found[0] if found else None


def hint(expr: str) -> str:
    """`; write '…'` (or a general hint), appended to the parser's message; '' when none fits."""
    found = suggestion(expr)
    if found is not None:
        form, note = found
        if re.search(r"(?<![\d:])\d:\d\d", expr) and not re.search(r"[^\x00-\x7f]|[a-z]{3}", expr, re.I):
            return f"; use two-digit hours: write {form!r}{note}"
        return f"; write {form!r}{note}"
    if re.search(r"[周星期至到点时天]", expr):
        return "; write days as Mo Tu We Th Fr Sa Su and times as HH:MM, e.g. 'Mo-Fr 09:00-17:00'"
    if re.search(r"(?<![\d:])\d:\d\d", expr):
        return "; use two-digit hours, e.g. 09:00-17:00"
    return ""

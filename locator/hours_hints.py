"""What staff write instead of OSM opening_hours, and the OSM form to suggest.

`24小时`, `周一至周五 9:00-17:00`, `Mon-Fri 9-17`, `早8点到晚8点`: the parser only says what token
it expected. `osm_form` rewrites the common forms (Chinese and English weekdays, one-digit and
bare hours, 点, full-width punctuation, 至/到/~ between times) and offers the result when it
parses; otherwise `hint` names the first form it recognises.
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
_REWRITES: Final[list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]]] = [
    (re.compile(r"[：]"), ":"),
    (re.compile(r"\s*(?:至|到|~|～|—|–|－)\s*"), "-"),
    (re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])"), lambda m: _DAYS_ZH[m.group(1)]),
    (re.compile(r"工作日"), "Mo-Fr"),
    (re.compile(r"(?:每天|每日|天天)"), "Mo-Su"),
    (re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?", re.I), lambda m: _DAYS_EN[m.group(1).lower()]),
    (re.compile(r"(?:早上?|上午)(\d{1,2})(?:点|时)(?:(\d{1,2})分?)?"), lambda m: f"{m.group(1)}:{m.group(2) or '00'}"),
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


def osm_form(expr: str) -> str | None:
    """The OSM expression staff most likely meant, when the rewrite parses; else None."""
    if _ALL_DAY.match(expr):
        return "24/7"
    text = expr
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    text = " ".join(text.split())
    return text if text and text != expr and _parses(text) else None


def hint(expr: str) -> str:
    """`; write '…'` (or a general hint), appended to the parser's message; '' when none fits."""
    form = osm_form(expr)
    if form is not None:
        if re.search(r"(?<![\d:])\d:\d\d", expr) and not re.search(r"[^\x00-\x7f]|[a-z]{3}", expr, re.I):
            return f"; use two-digit hours: write {form!r}"
        return f"; write {form!r}"
    if re.search(r"[周星期至到点时天]", expr):
        return "; write days as Mo Tu We Th Fr Sa Su and times as HH:MM, e.g. 'Mo-Fr 09:00-17:00'"
    if re.search(r"(?<![\d:])\d:\d\d", expr):
        return "; use two-digit hours, e.g. 09:00-17:00"
    return ""

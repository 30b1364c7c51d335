"""Readable Chinese for OSM opening_hours strings, e.g. `周一至周五 09:00–17:00，法定节假日休息`.

Token-based: it covers the constructs staff actually write (weekdays, ranges, times, PH, months,
dates, off/closed/unknown, comments). Any token it does not know makes it fall back to the
original string, so it never shows a wrong translation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_DAYS: Final = {"Mo": "周一", "Tu": "周二", "We": "周三", "Th": "周四", "Fr": "周五", "Sa": "周六", "Su": "周日"}
_MONTHS: Final = {m: f"{i}月" for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}  # fmt: skip
_WORDS: Final = {
    "PH": "法定节假日",
    "SH": "学校假期",
    "off": "休息",
    "closed": "休息",
    "open": "开放",
    "unknown": "时间不定",
}
UNKNOWN_TEXT: Final = "开放时间未知"

_TOKEN: Final = re.compile(
    r'"(?P<comment>[^"]*)"'
    r"|(?P<time>\d{1,2}:\d{2})(?:-(?P<time2>\d{1,2}:\d{2})(?P<plus>\+)?)?"
    r"|(?P<dayrange>(?:Mo|Tu|We|Th|Fr|Sa|Su)-(?:Mo|Tu|We|Th|Fr|Sa|Su))"
    r"|(?P<day>Mo|Tu|We|Th|Fr|Sa|Su)(?![a-z])"
    r"|(?P<year>\d{4})(?=\s)"
    r"|(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:\s+(?P<mday>\d{1,2})(?!\d|:))?"
    r"|(?P<word>PH|SH|off|closed|open|unknown)\b"
    r"|(?P<sep>;|\|\||,|-)"
    r"|(?P<space>\s+)"
)


def _rule_zh(rule: str) -> str | None:
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(rule):
        if m.start() != pos:
            return None
        pos = m.end()
        kind = m.lastgroup if m.lastgroup not in ("time2", "plus", "mday") else None
        if m.group("comment") is not None:
            parts.append(f"（{m.group('comment')}）")
        elif m.group("time"):
            end = m.group("time2")
            txt = m.group("time") + (f"–{end}" if end else "起")
            parts.append(" " + txt + ("（次日）" if m.group("plus") else "") + " ")
        elif m.group("dayrange"):
            a, b = m.group("dayrange").split("-")
            parts.append(f"{_DAYS[a]}至{_DAYS[b]}")
        elif m.group("day"):
            parts.append(_DAYS[m.group("day")])
        elif m.group("year"):
            parts.append(f"{m.group('year')}年")
        elif m.group("month"):
            parts.append(_MONTHS[m.group("month")] + (f"{int(m.group('mday'))}日" if m.group("mday") else ""))
        elif m.group("word"):
            parts.append(_WORDS[m.group("word")])
        elif m.group("sep"):
            parts.append({",": "、", "-": "至"}.get(m.group("sep"), m.group("sep")))
        elif kind == "space":
            continue
    if pos != len(rule):
        return None
    text = "".join(parts)
    text = re.sub(r"\s*、\s*", "、", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


@lru_cache(maxsize=4096)
def hours_zh(expr: str | None) -> str:
    """Chinese rendering of an opening_hours string; the original when it cannot be rendered."""
    if expr is None:
        return UNKNOWN_TEXT
    e = expr.strip()
    if e in ("24/7", "Mo-Su 00:00-24:00", "00:00-24:00"):
        return "24小时开放"
    rules = [r.strip() for r in re.split(r";|\|\|", e) if r.strip()]
    out: list[str] = []
    for rule in rules:
        if rule == "24/7":
            out.append("24小时开放")
            continue
        rule = re.sub(r"^Mo-Su(?=\s)", "每天", rule)
        text = _rule_zh(rule.replace("每天", "")) if rule.startswith("每天") else _rule_zh(rule)
        if text is None:
            return expr
        if rule.startswith("每天"):
            text = "每天 " + text
        text = re.sub(r"(法定节假日|学校假期|周.|日|月)\s*(休息|开放|时间不定)$", r"\1\2", text)
        text = text.replace("  ", " ")
        out.append(text.replace(" 00:00–24:00", " 24小时"))
    return "，".join(out)

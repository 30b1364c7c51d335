"""Opening-hours features the evaluator accepts but answers wrongly, refused before use.

opening-hours-py parses all of these, then evaluates them without complaint and wrongly, so a
station would show open or closed forever (measured with the pinned library version):

* a date that does not exist (`Apr 31`, `Feb 30`): the rule then matches *every* day;
* `SH` (school holidays): there is no school-holiday calendar, the rule is silently skipped;
* `sunrise`, `sunset`, `dawn`, `dusk`: without coordinates they are a fixed 07:00 / 19:00
  (Beijing's sunset varies from 16:50 to 19:45 over the year);
* a year or week range whose step is larger than the range (`2024-2030/100`): the step is
  ignored and every year (week) of the range matches.

`easter` (with offsets), week steps within the range, `Mo[1]`, `Mo[-1]` and wrapping month
ranges evaluate correctly and stay accepted.

Cost bound (with MAX_LENGTH in locator/hours_syntax.py): at most MAX_SPANS_PER_RULE time spans
in one rule and MAX_SPANS in the whole expression, so a day has at most ~2 × MAX_SPANS state
changes. Real stations have 1–4 spans a day (a lunch break, an evening shift); 28 spans of one
minute each made every fresh evaluation window cost ~1 ms of CPU.
"""

from __future__ import annotations

import calendar
import re
from typing import Final

MAX_SPANS_PER_RULE: Final = 6
MAX_SPANS: Final = 16

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_COMMENT: Final = re.compile(r'"[^"]*"')
_MONTH_DAY: Final = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s*(\d{1,2})(?![\d:])")
_SCHOOL: Final = re.compile(r"\bSH\b")
_SUN: Final = re.compile(r"\b(sunrise|sunset|dawn|dusk)\b")
_STEP: Final = re.compile(r"(?<![\d:])(\d+)\s*-\s*(\d+)\s*/\s*(\d+)(?![\d:])")
_SPAN: Final = re.compile(r"\d{1,2}:\d{2}\s*(?:-|\+)")
_RULE_SEP: Final = re.compile(r";|\|\||,(?=\s*(?:[A-Z][a-z]|\d{4}|week\b|PH\b))")


def unsupported(expr: str) -> str | None:
    """Why `expr` (already valid syntax) would be evaluated wrongly or too expensively, or None."""
    text = _COMMENT.sub('""', expr)
    for m in _MONTH_DAY.finditer(text):
        month, day = _MONTHS.index(m.group(1)) + 1, int(m.group(2))
        last = 29 if month == 2 else calendar.monthrange(2001, month)[1]
        if not 1 <= day <= last:
            return (
                f"{m.group(0)} is not a date ({m.group(1)} has {last} days); the rule would apply to every day: "
                f"write an existing date, e.g. {m.group(1)} {last:02d}"
            )
    if _SCHOOL.search(text):
        return (
            "SH (school holidays) is not supported: there is no school-holiday calendar, so the rule would be "
            "ignored; write the dates instead, e.g. 'Jul 15-Aug 31 off'"
        )
    sun = _SUN.search(text)
    if sun:
        return (
            f"{sun.group(1)} is not supported: it would be taken as a fixed time all year (Beijing's sunset "
            "moves from 16:50 to 19:45); write clock times, e.g. 06:00-18:00"
        )
    for m in _STEP.finditer(text):
        first, last_v, step = (int(g) for g in m.groups())
        if step > last_v - first:
            return (
                f"{m.group(0)}: the step {step} is larger than the range, and would be ignored (every one of "
                f"{first}-{last_v} would match); write {first} alone, or a step of at most {last_v - first}"
            )
    spans = _SPAN.findall(text)
    if len(spans) > MAX_SPANS:
        return (
            f"{len(spans)} time spans; at most {MAX_SPANS} are accepted (real stations have 1-4 a day): join "
            "adjacent spans and merge rules that share hours"
        )
    for rule in _RULE_SEP.split(text):
        n = len(_SPAN.findall(rule))
        if n > MAX_SPANS_PER_RULE:
            return (
                f"{n} time spans in the rule {rule.strip()!r}; at most {MAX_SPANS_PER_RULE} a day are accepted "
                "(real stations have 1-4): join adjacent spans, e.g. 08:00-12:00,14:00-18:00"
            )
    return None

"""Cell values shared by every format: formula neutralising, lists, phone numbers, dates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from locator import vocab
from locator.io.readers import Quoted

#: Text that a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @ tab CR.
_FORMULA_START: Final = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED: Final = re.compile(r"^'(?='*[=+\-@\t\r])")
LIST_SPLIT: Final = re.compile(r"[;；、,，]")
_PHONE_SPLIT: Final = re.compile(r"\s*(?:[/／;；,，、]|\s或\s?)\s*")
#: Characters a workbook cannot hold (openpyxl's IllegalCharacterError) and CR (read back as LF).
SPREADSHEET_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")


def neutralise(text: str) -> str:
    """`'` before text a spreadsheet would take for a formula; also before text that already
    starts with such quotes, so that `unneutralise` gives back exactly the original."""
    return "'" + text if _FORMULA_START.match(text) else text


def unneutralise(text: str) -> str:
    """Strip exactly one leading `'` that `neutralise` (or a person typing in Excel) added."""
    return _NEUTRALISED.sub("", text, count=1)


def split_list(text: str | None) -> list[str]:
    items = [a.strip() for a in LIST_SPLIT.split(text or "") if a.strip()]
    return [vocab.amenity_id(a) or a for a in items]


def normalise_phone(text: str) -> str:
    """Several numbers in one cell (`010-1234 5678 / 138…`) are kept, separated by `;`."""
    return ";".join(p for p in _PHONE_SPLIT.split(text.strip()) if p)


def iso(value: dt.date | dt.datetime) -> str:
    """A date cell as YYYY-MM-DD; a date-time keeps its time unless it is midnight."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat()


def cell_text(value: Any) -> str | None:
    """A spreadsheet or GIS cell as trimmed text; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date | dt.datetime):
        text = iso(value)
    elif isinstance(value, float):
        if value != value:
            return None
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    else:
        text = str(value)
    text = text.strip()
    if isinstance(value, Quoted):  # an XLSX cell with Excel's quote prefix holds the exact text
        return text or None
    return unneutralise(text) or None

"""Cell values shared by every format: formula neutralising, lists, phone numbers, dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Final

from locator import vocab
from locator.io.readers import ErrorCell, Quoted

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


#: Fields whose text is a code, not prose: full-width digits and punctuation are folded (NFKC).
_CODES: Final = frozenset({"id", "lon", "lat", "opening_hours", "phone", "verified_at", "coord_precision", "code"})
_SCIENTIFIC: Final = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def field_text(field: str, value: Any) -> str | None:
    """A cell (spreadsheet or GIS) as the text of `field`; raises ValueError with the reason
    when the cell cannot be right. Shared by every reader so that files agree."""
    if isinstance(value, ErrorCell):
        raise ValueError(f"Excel shows an error here ({value}): fix the formula or paste values (选择性粘贴 → 数值)")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M") if value.second == 0 else value.isoformat()
    if isinstance(value, float) and field in ("phone", "id") and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a number cell: Excel shows 13800138000
    text = cell_text(value)
    if text is None:
        return None
    if field in _CODES:
        text = unicodedata.normalize("NFKC", text)
    if field in ("phone", "id") and _SCIENTIFIC.match(text) and "e" in text.lower():
        raise ValueError(
            f"Excel turned the number into {text}: format the column as text (设置单元格格式 → 文本) and type it again"
        )
    if field == "verified_at":
        match = _DATE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                text = dt.date(year, month, day).isoformat()
            except ValueError:
                raise ValueError(f"{text!r} is not a date") from None
    return text


def property_value(field: str, value: Any, kept: bool = False) -> Any:
    """A GIS property value normalised like a spreadsheet cell of the same field (number id →
    "1", number phone → digits, Chinese type/status labels → ids, amenities text split); a
    kept extra column becomes text. Raises ValueError with the reason when it cannot be right."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        raise ValueError("is binary data (a BLOB): export the column as text")
    if kept:  # a GeoJSON file may keep nested values; a GeoPackage column is made text by its reader
        return value
    if field == "amenities" and isinstance(value, str):
        return split_list(value)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and field in ("id", "phone"):
        value = field_text(field, float(value) if isinstance(value, int) else value)
    elif isinstance(value, str) and field in _CODES:
        value = field_text(field, Quoted(value))  # Quoted: a GIS text is exact, no `'` to strip
    if isinstance(value, str):
        if field == "type":
            return vocab.type_id(value.strip()) or value
        if field == "status":
            return vocab.status_id(value.strip()) or value
        if field == "access":
            return vocab.access_id(value.strip()) or value
        if field == "phone":
            return normalise_phone(value)
    return value

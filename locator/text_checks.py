"""Text properties that would break exports or deceive readers: hidden characters and lengths.

Refused in every string property (one problem per field, naming the first offending character):
control characters (C0, DEL, C1: an ESC sequence recolours a terminal, NUL breaks files),
invisible format characters (zero-width spaces and joiners, bidirectional overrides such as
U+202E that show a name reversed, the BOM), line/paragraph separators, lone surrogates, and
the noncharacters U+FFFE/U+FFFF (not allowed in XLSX's XML). Tab and newline (also CRLF) are
allowed in `note` and `address`, which are legitimately multi-line in spreadsheets.

Lengths in characters: name ≤ 100, address ≤ 200, note ≤ 2,000, other known strings ≤ 200,
extra (unknown) string properties ≤ 2,000. `id` (≤ 200), `code` (≤ 64) and `opening_hours`
(≤ 255) are limited by their own checks. Every limit is far below XLSX's 32,767 per cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Final

from locator.model import StationProperties

MAX_LENGTH: Final = {"name": 100, "address": 200, "note": 2_000}
MAX_OTHER: Final = 200  # the other known string properties (district, phone, operator, source)
MAX_EXTRA: Final = 2_000  # unknown string properties
_KNOWN: Final = frozenset({"name", "address", "district", "phone", "operator", "note", "source"})
_SCHEMA: Final = frozenset(StationProperties.model_fields)  # id, code, opening_hours and enums: limited elsewhere
_MULTILINE: Final = frozenset({"note", "address"})
_BIDI: Final = frozenset({0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_BAD_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _kind(ch: str) -> str | None:
    """What is wrong with one character, or None when it is fine anywhere."""
    code = ord(ch)
    if code in _BIDI:
        return "a bidirectional control character"
    if code in (0xFFFE, 0xFFFF):
        return "a noncharacter"
    category = unicodedata.category(ch)
    if category not in _BAD_CATEGORIES:
        return None
    return {
        "Cc": "a control character",
        "Cf": "an invisible format character",
        "Cs": "a lone surrogate",
    }.get(category, "a line or paragraph separator")


def bad_character(field: str, text: str) -> str | None:
    """The message for the first hidden character in `text`, with how many more there are; else None."""
    multiline = field in _MULTILINE
    first: tuple[int, str, str] | None = None
    count = 0
    for i, ch in enumerate(text):
        if ch.isprintable() or (multiline and (ch in "\t\n" or (ch == "\r" and text[i + 1 : i + 2] == "\n"))):
            continue
        kind = _kind(ch)
        if kind is None:
            continue
        count += 1
        if first is None:
            first = (i, ch, kind)
    if first is None:
        return None
    i, ch, kind = first
    name = unicodedata.name(ch, "")
    where = f"U+{ord(ch):04X}{' ' + name if name else ''} at position {i + 1}"
    more = f", and {count - 1} more" if count > 1 else ""
    allowed = "; tab and newline are allowed only in note and address" if ch in "\t\n\r" and not multiline else ""
    return f"contains {kind} ({where}{more}); remove it{allowed}"


def text_problems(props: Mapping[str, Any]) -> dict[str, str]:
    """`{field: message}` for every string property with a hidden character or over its length."""
    out: dict[str, str] = {}
    for field, value in props.items():
        if not isinstance(field, str) or not isinstance(value, str):
            continue
        message = bad_character(field, value)
        limit = MAX_LENGTH.get(field, MAX_OTHER) if field in _KNOWN else None if field in _SCHEMA else MAX_EXTRA
        if message is None and limit is not None and len(value) > limit:
            message = f"is {len(value):,} characters long; at most {limit:,} allowed"
        if message is not None:
            out[field] = message
    return out

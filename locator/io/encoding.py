"""Which encoding a CSV file is in, decided line by line.

Excel on Chinese Windows saves "CSV" in GBK; elsewhere files are UTF-8. About 1,900 common
GBK characters (一亩园, 医院 …) happen to form valid two-byte UTF-8 sequences, so "it decodes
as UTF-8" is not proof. Each line with non-ASCII bytes is therefore judged on its own:

* not valid UTF-8 → GBK;
* valid UTF-8 holding a character of three or more bytes (CJK is U+4E00 and up) → UTF-8;
* valid UTF-8 holding only two-byte letters (U+0080–U+07FF: accented Latin, Cyrillic,
  Hebrew …) whose GB18030 reading is Chinese text: GBK when a word of the UTF-8 reading mixes
  scripts (一亩园 reads `һĶ԰`: Cyrillic, Latin, Armenian — no one writes that), else either.

The file is GBK (read as GB18030, its superset) when some line is GBK and none is UTF-8,
else UTF-8 (`Café` stays `Café`); a file with both is refused, naming a line of each.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from typing import Final

from locator.io.fileerrors import SAVE_AS_UTF8, bad_file

#: Text a GBK reading should give: CJK ideographs and punctuation, full-width forms.
_CHINESE: Final = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_RUN: Final = re.compile(r"[^\x00-\x7f]+")


def line_encoding(line: bytes) -> str:
    """'UTF-8', 'GBK' or 'either' for one line that holds non-ASCII bytes."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "GBK"
    if any(ord(c) >= 0x800 for c in text):
        return "UTF-8"
    try:
        other = line.decode("gb18030")
    except UnicodeDecodeError:
        return "UTF-8"
    foreign = _NON_ASCII.findall(other)
    if not foreign or not all(_CHINESE.match(c) for c in foreign):
        return "UTF-8"
    mixed = any(len({_script(c) for c in run}) > 1 for run in _RUN.findall(text))
    return "GBK" if mixed else "either"


def _script(char: str) -> str:
    return unicodedata.name(char, "?").split(" ", 1)[0]


def decode_csv(path: Path, raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in (UTF-16 only with a BOM)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count("\n".encode("utf-16-le")) + 1
            raise bad_file(path, f"line {line}", f"is not valid UTF-16; {SAVE_AS_UTF8}") from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise bad_file(path, f"line {line}", f"holds NUL bytes (UTF-16 without a BOM?); {SAVE_AS_UTF8}")
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[3:]
    first: dict[str, int] = {}
    for number, text in enumerate(raw.split(b"\n"), start=1):
        if not text.isascii():
            kind = line_encoding(text)
            if bom and kind != "UTF-8" and _valid_utf8(text):
                kind = "UTF-8"  # the BOM settles a line that reads well both ways
            if kind != "either":
                first.setdefault(kind, number)
    if bom:
        first.setdefault("UTF-8", 0)
    if len(first) == 2:
        utf8 = f"line {first['UTF-8']}" if first["UTF-8"] else "its BOM"
        raise bad_file(
            path,
            f"line {first['GBK']}",
            f"is not UTF-8 although {utf8} is: the file mixes encodings (UTF-8 and GBK?); {SAVE_AS_UTF8}",
        )
    if "GBK" not in first:
        return raw.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
    try:
        return raw.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        line_no = raw[: exc.start].count(b"\n") + 1
        raise bad_file(path, f"line {line_no}", f"is neither UTF-8 nor GBK/GB18030 text; {SAVE_AS_UTF8}") from None


def _valid_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

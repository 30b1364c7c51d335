"""Spreadsheet headers: the names staff use for each registry field.

Headers are matched without regard to case, spaces, `-`/`_`, a `*` (a "required" mark), a
trailing `:`/`：` or a trailing note in brackets (`经度（高德）`). A note on lon/lat that names a
coordinate system (`经度（高德）`, `lon (gcj02)`) states the file's system. Row-counter columns
(`序号`, `No.`, `行号`) are ignored. A header the tool does not know is an error that names the
nearest known one, unless the user keeps it on purpose (`--keep-columns`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Final

from locator.io.cells import unneutralise
from locator.io.readers import Quoted

#: field → the headers accepted for it (the field id itself is always accepted).
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": ("编号", "站点id"),
    "name": ("名称", "站点名称", "站名", "驿站名称", "站点名"),
    "type": ("类型", "站点类型"),
    "amenities": ("设施", "服务设施", "配套设施", "设施服务"),
    "opening_hours": ("开放时间", "营业时间", "服务时间", "hours", "opening hours"),
    "address": ("地址", "详细地址", "站点地址"),
    "district": ("区", "所在区", "行政区", "所属区", "区县"),
    "phone": ("电话", "联系电话", "手机", "电话号码", "联系方式", "tel", "telephone"),
    "status": ("状态", "站点状态"),
    "source": ("来源", "数据来源"),
    "lon": ("经度", "lng", "longitude"),
    "lat": ("纬度", "latitude"),
    "operator": ("运营方", "运营单位", "管理单位"),
    "note": ("备注", "说明"),
    "coord_precision": ("位置精度", "坐标精度"),
    "verified_at": ("核实日期", "核实时间"),
    "code": ("站点编号", "站点号", "驿站编号"),  # the number on the sign, not the id (编号)
    "access": ("开放对象", "服务对象", "面向对象"),
}
REQUIRED: Final = ("id", "name", "type", "lon", "lat", "source")
_BRACKETED: Final = re.compile(r"\s*[(（\[【]([^)）\]】]*)[)）\]】]\s*$")
_MARKS: Final = "*＊:："
#: Row counters found in nearly every Chinese template: not a property, ignored.
COUNTERS: Final = frozenset({"序号", "no.", "no", "行号", "编号序号"})
#: Words in a lon/lat header's note → the coordinate system they name.
_CRS_WORDS: Final = {
    "gcj02": ("高德", "gcj02", "火星", "gcj", "腾讯"),
    "bd09": ("百度", "bd09", "bd"),
    "wgs84": ("wgs84", "gps", "wgs"),
}


def _bare(header: str) -> str:
    return header.strip().strip(_MARKS).strip()


def normalise(header: str) -> str:
    text = _BRACKETED.sub("", _bare(header)).strip(_MARKS).strip()
    return re.sub(r"[\s_\-]+", "", text).lower()


def header_crs(header: str) -> str | None:
    """The coordinate system a lon/lat header's bracketed note names (`经度（高德）` → gcj02)."""
    match = _BRACKETED.search(_bare(header))
    note = re.sub(r"[\s_\-]+", "", match.group(1)).lower() if match else ""
    return next((crs for crs, words in _CRS_WORDS.items() if note in words), None)


def is_counter(header: str) -> bool:
    return _bare(header).lower() in COUNTERS


_TABLE: Final[dict[str, str]] = {normalise(a): f for f, names in ALIASES.items() for a in (f, *names)}


def field_for(header: str) -> str | None:
    return _TABLE.get(normalise(header))


def known_headers() -> str:
    return ", ".join(f"{f} ({names[0]})" if names and not names[0].isascii() else f for f, names in ALIASES.items())


_SPLIT_COORDS: Final = "one column holds both coordinates: split it into 经度 and 纬度 columns"
_HINTS: Final = {
    **{normalise(h): _SPLIT_COORDS for h in ("坐标", "经纬度", "lnglat", "lonlat", "latlon", "坐标(经度,纬度)")},
}


def suggestion(header: str) -> str:
    if normalise(header) in _HINTS and field_for(header) is None:
        return _HINTS[normalise(header)]
    close = difflib.get_close_matches(normalise(header), list(_TABLE), n=1, cutoff=0.6)
    return f"did you mean {_TABLE[close[0]]}?" if close else "no close match"


@dataclass
class Columns:
    """Column index → field name (a registry field, or a kept header as written)."""

    fields: dict[int, str]
    extra: frozenset[str]
    crs: str | None = None  # stated by the lon/lat headers
    ignored: frozenset[int] = frozenset()  # row-counter columns (序号)


def map_headers(cells: list[Any], keep: set[str]) -> tuple[Columns | None, str | None]:
    """The columns of a header row, or why the row is not a usable header (one line)."""
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    kept: set[str] = set()
    keep_norm = {normalise(k) for k in keep}
    ignored: set[int] = set()
    for i, cell in enumerate(cells):
        header = "" if cell is None else str(cell).strip()
        if header and is_counter(header):
            ignored.add(i)
        if not header or is_counter(header):
            continue
        if not isinstance(cell, Quoted):  # export writes a formula-like CSV header as `'=…`
            header = unneutralise(header)
        field = field_for(header)
        if field is None and normalise(header) in keep_norm:
            field = header
            kept.add(header)
        if field is None:
            unknown.append(header)
            continue
        if field in seen:
            return None, f"columns {seen[field]!r} and {header!r} are both {field}: keep one"
        seen[field] = header
        fields[i] = field
    if unknown:
        listed = "; ".join(f"{h!r} ({suggestion(h)})" for h in unknown[:10])
        if len(unknown) > 10:
            listed += f" and {len(unknown) - 10} more"
        return None, (
            f"unknown column(s) {listed}. Known: {known_headers()}. "
            "To keep other columns as extra properties, name them with --keep-columns"
        )
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        named = ", ".join(f"{f} ({ALIASES[f][0]})" for f in missing)
        return None, f"missing column(s): {named}"
    stated = {f: header_crs(seen[f]) for f in ("lon", "lat")}
    if stated["lon"] and stated["lat"] and stated["lon"] != stated["lat"]:
        return None, f"columns {seen['lon']!r} and {seen['lat']!r} name different coordinate systems"
    return Columns(fields, frozenset(kept), stated["lon"] or stated["lat"], frozenset(ignored)), None


def known_count(cells: list[Any]) -> int:
    return sum(1 for c in cells if c is not None and field_for(str(c)) is not None)


def looks_like_header(cells: list[Any]) -> bool:
    """At least three cells name a known field: tells the header from a title or a sub-title
    row (`填报单位：…`, `填报日期：…`) and a station sheet from a notes sheet."""
    return known_count(cells) >= 3

"""Spreadsheet headers: the names staff use for each registry field.

Headers are matched without regard to case, spaces, `-`/`_`, a trailing `*` (a "required"
mark) or a trailing note in brackets (`经度（高德）`). A header the tool does not know is an
error that names the nearest known one, unless the user keeps it on purpose (`--keep-columns`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Final

from locator.io.cells import unneutralise
from locator.io.readers import Quoted
from locator.model import StationProperties

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
}
if "code" in StationProperties.model_fields:  # the sign number (站点编号) is not the id (编号)
    ALIASES["code"] = ("站点编号",)
REQUIRED: Final = ("id", "name", "type", "lon", "lat", "source")
_BRACKETED: Final = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")


def normalise(header: str) -> str:
    text = _BRACKETED.sub("", header.strip()).rstrip("*＊").strip()
    return re.sub(r"[\s_\-]+", "", text).lower()


_TABLE: Final[dict[str, str]] = {normalise(a): f for f, names in ALIASES.items() for a in (f, *names)}


def field_for(header: str) -> str | None:
    return _TABLE.get(normalise(header))


def known_headers() -> str:
    return ", ".join(f"{f} ({names[0]})" if names and not names[0].isascii() else f for f, names in ALIASES.items())


_HINTS: Final = {
    normalise("站点编号"): "the number on the station's sign has no field yet: rename the column to 编号 if it "
    "is the id, or keep it with --keep-columns",
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


def map_headers(cells: list[Any], keep: set[str]) -> tuple[Columns | None, str | None]:
    """The columns of a header row, or why the row is not a usable header (one line)."""
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    kept: set[str] = set()
    keep_norm = {normalise(k) for k in keep}
    for i, cell in enumerate(cells):
        header = "" if cell is None else str(cell).strip()
        if not header:
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
        listed = "; ".join(f"{h!r} ({suggestion(h)})" for h in unknown)
        return None, (
            f"unknown column(s) {listed}. Known: {known_headers()}. "
            "To keep other columns as extra properties, name them with --keep-columns"
        )
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        return None, f"missing column(s): {', '.join(missing)}"
    return Columns(fields, frozenset(kept)), None


def looks_like_header(cells: list[Any]) -> bool:
    """At least two cells name a known field: tells a station sheet from a notes sheet."""
    return sum(1 for c in cells if c is not None and field_for(str(c)) is not None) >= 2

"""Adding a notice's rows to the holiday table's text: the conflicts that refuse it and the
merged file (pure; `locator holidays import` reads and writes under the table's lock).

The table keeps its form: a BOM and CRLF line ends stay, lines already there stay byte for byte,
trailing blank lines are dropped before appending, and new rows are written by the csv module
(a name with a comma is quoted)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping

from locator.errors import Problem
from locator.holiday_notice import Row
from locator.holidays import notice_years


def conflicts(
    rows: Iterable[Row], existing: Mapping[dt.date, str], year: int, source: str, replace: bool, partial: bool = False
) -> list[Problem]:
    """Problems adding `rows` (of notice year `year`) to a table with `existing` {date: kind}.
    A year whose notice the table already holds is refused unless replacing (or adding a
    partial notice, which must agree with the rows there)."""
    owner = notice_years(existing)
    if year in owner.values() and not replace and not partial:
        return [Problem(source, "year", f"the table already has rows for {year} (use --replace-year)")]
    problems: list[Problem] = []
    for day, kind, _name in rows:
        if replace and owner.get(day) == year:
            continue
        if day in existing and existing[day] != kind:
            problems.append(Problem(source, str(day), f"the table has it as {existing[day]}, the notice as {kind}"))
    return problems


def _cells(line: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line]), [])]


def merged_table(raw: bytes, rows: Iterable[Row], year: int, replace: bool) -> tuple[bytes, list[Row]]:
    """The table's bytes with `rows` appended (the rows of `year`'s notice dropped first when
    replacing; rows already present as they are skipped) and the rows actually added."""
    text = raw.decode("utf-8-sig")
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    lines = text.splitlines()
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    header, body = _cells(lines[0]) if lines else ["date", "kind", "name"], lines[1:]
    at = {name: header.index(name) for name in ("date", "kind", "name") if name in header}
    parsed: list[tuple[str, dt.date | None, str]] = []
    for line in body:
        cells = _cells(line)
        try:
            day: dt.date | None = dt.date.fromisoformat(cells[at["date"]]) if cells else None
        except (ValueError, IndexError):
            day = None
        parsed.append((line, day, cells[at["kind"]] if day and len(cells) > at["kind"] else ""))
    if replace:
        owner = notice_years({d: k for _l, d, k in parsed if d})
        parsed = [(ln, d, k) for ln, d, k in parsed if d is None or owner.get(d) != year]
    present = {(d, k) for _l, d, k in parsed}
    added = [r for r in rows if (r[0], r[1]) not in present]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for day_, kind, name in added:
        cells = [""] * len(header)
        cells[at["date"]], cells[at["kind"]] = day_.isoformat(), kind
        if "name" in at:
            cells[at["name"]] = name
        writer.writerow(cells)
    merged = newline.join([lines[0] if lines else ",".join(header), *(ln for ln, _d, _k in parsed)]) + newline
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    return bom + (merged + out.getvalue()).encode("utf-8"), added

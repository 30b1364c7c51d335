"""Regenerate data/holidays_cn.csv from the chinese-calendar package (a maintained source).

Usage: python scripts/build_holidays.py [FIRST_YEAR]
Rows for years the package does not cover are kept from the existing file, so staff additions
(e.g. a newly published year) survive a rebuild.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]

ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
OUT = Path(__file__).resolve().parent.parent / "data" / "holidays_cn.csv"


def main() -> None:
    first = int(sys.argv[1]) if len(sys.argv) > 1 else 2020
    rows: dict[dt.date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year >= first:
            rows[day] = ("off", ZH.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.year >= first and day.weekday() >= 5:  # make-up workdays fall on weekends
            rows[day] = ("workday", ZH.get(str(name), str(name)))
    covered = {d.year for d in rows}
    if OUT.exists():
        with OUT.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                day = dt.date.fromisoformat(row["date"])
                if day.year not in covered:
                    rows[day] = (row["kind"], row.get("name", ""))
    tmp = OUT.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["date", "kind", "name"])
        for day in sorted(rows):
            writer.writerow([day.isoformat(), *rows[day]])
    tmp.replace(OUT)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()

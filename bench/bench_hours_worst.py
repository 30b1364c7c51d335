"""CPU cost of one request for the most expensive opening_hours expressions we could construct.

Usage: python bench/bench_hours_worst.py [--only NAME ...] [--moments now,+1y,...]

Builds an in-memory SYNTHETIC registry with one station per expression (expressions that
`check_syntax` refuses are listed and left out), then, for a ladder of moments (now, ± years, the
edges of the accepted `at` range, far past and future), times in CPU seconds (time.process_time):
  * `Locator.nearest(k=all)` — every station's open state and next change (cold for that moment),
  * `Locator.station(id)` for each station (the slowest is printed),
  * the same nearest call again (warm).
A fresh Locator is built per moment so the first call is the cold one a server would see.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from locator import synthetic
from locator.errors import InvalidParameter
from locator.hours import HoursError, beijing, check_syntax
from locator.model import Station
from locator.registry import Registry
from locator.service import Locator


def _spans(n: int, step: int = 2) -> str:
    return ",".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, n * step, step))


WORST: dict[str, str] = {
    "year_range": "2024-2030 Mo-Fr 08:00-18:00",
    "year_range_ph": "2020-2026 Mo-Fr 09:00-17:00; PH off",
    "year_range_past": "2001-2005 Mo-Su 08:00-18:00; PH off",
    "far_future": "2090 Jan 01 open",
    "far_future_ph": "2090 Jan 01 open; PH off",
    "once_2000": "2000 Jan 01 10:00-12:00",
    "week_odd": "week 1-53/2 Mo-Fr 08:00-18:00; PH off",
    "easter": "easter -2 days-easter +1 day 10:00-12:00",
    "month_days": "Jan 01-Mar 15,May 20-Sep 30 Mo-Fr 08:00-18:00; Dec 24-Dec 26 off",
    "seasonal": "Nov-Mar Mo-Su 07:00-19:00; PH off",
    "ph_only": "PH 10:00-14:00",
    "ph_joined": "Mo-Fr,PH 08:00-10:00",
    "fallback_unknown": 'Mo-Fr 08:00-18:00; PH off || unknown "请电话确认"',
    "unknown_comment": 'unknown "请电话确认"',
    "comments_split": 'Mo-Su 00:00-06:00 open "a", Mo-Su 06:00-12:00 open "b", Mo-Su 12:00-18:00 open "c"',
    "open_end": "Mo-Su 22:00+",
    "never": "off",
    "always": "24/7",
    "spans_20": "Mo-Su " + _spans(20),
    "spans_720": "Mo-Su " + _spans(720),
    "periodic": "Mo-Su 00:00-24:00/00:01",
    "rules_53": "; ".join(f"2001 week {w:02d} Mo 10:00-11:00" for w in range(1, 54)),
    "long_years": ",".join(str(y) for y in range(2000, 2100, 2)) + " Mo 10:00-11:00",
}

MOMENTS: dict[str, dt.datetime | str] = {
    "now": beijing(),
    "-1y": beijing() - dt.timedelta(days=365),
    "+1y": beijing() + dt.timedelta(days=365),
    "+5y": beijing() + dt.timedelta(days=5 * 365),
    "+10y": beijing() + dt.timedelta(days=10 * 365),
    "-10y": beijing() - dt.timedelta(days=10 * 365),
    "2000-01-01": "2000-01-01T00:00",
    "2090-01-01": "2090-01-01T00:00",
    "2099-12-31": "2099-12-31T23:59",
    "1990": "1990-06-01T10:00",
    "2150": "2150-06-01T10:00",
}


def registry(exprs: dict[str, str]) -> Registry:
    base = synthetic.stations(len(exprs), seed=7)
    out = [
        Station(**{**{f: getattr(s, f) for f in Station.__dataclass_fields__}, "opening_hours": e, "status": "open"})
        for s, e in zip(base, exprs.values(), strict=True)
    ]
    return Registry(out)


def cpu_ms(fn):  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--moments", default=",".join(MOMENTS))
    args = ap.parse_args()
    exprs = {k: v for k, v in WORST.items() if args.only is None or k in args.only}
    kept: dict[str, str] = {}
    for name, expr in exprs.items():
        try:
            ms = cpu_ms(lambda e=expr: check_syntax(e))
            kept[name] = expr
            print(f"accepted {name:18} check_syntax {ms:7.2f} ms")
        except HoursError as exc:
            print(f"refused  {name:18} {exc}")
    reg = registry(kept)
    names = dict(zip((s.id for s in reg.stations), kept, strict=True))
    for label in args.moments.split(","):
        measure(label, MOMENTS[label], reg, names)


def measure(label: str, at: dt.datetime | str, reg: Registry, names: dict[str, str]) -> None:
    t0 = time.process_time()
    loc = Locator(reg)
    build = (time.process_time() - t0) * 1000
    k = len(reg.stations)
    try:
        cold = cpu_ms(lambda: loc.nearest(39.9, 116.4, k=k, at=at))
    except InvalidParameter as exc:
        print(f"{label:11} refused: {exc}")
        return
    warm = cpu_ms(lambda: loc.nearest(39.9, 116.4, k=k, at=at))
    per = {sid: cpu_ms(lambda s=sid: loc.station(s, at)) for sid in names}
    fresh = Locator(reg)
    cold_one = {sid: cpu_ms(lambda s=sid: fresh.station(s, at)) for sid in names}
    worst_sid = max(cold_one, key=lambda s: cold_one[s])
    print(
        f"{label:11} load {build:8.1f} ms | nearest k=all cold {cold:9.1f} ms warm {warm:7.2f} ms | "
        f"station max {max(per.values()):7.2f} ms | cold station max {cold_one[worst_sid]:9.1f} ms "
        f"({names[worst_sid]})",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())

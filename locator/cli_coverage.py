"""`locator coverage`: per district, how much of the area lies within reach of a (open) station.

The default output is a Chinese table; `--json` prints the contract's shape (plus `total`, and
`hours` / `sites` / `health` when asked for). The numbers come from locator.coverage (pure);
this module only checks arguments, loads the registry and the shipped district boundaries, and
formats. The hour curve takes a while on a large registry, so its progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import orjson

from locator import params
from locator.errors import InvalidParameter

MAX_RADIUS_M: Final = 50_000.0
MAX_SITES: Final = 100
KIND_ZH: Final = {"workday": "工作日", "saturday": "周六", "holiday": "法定节假日"}


def radius(value: object, name: str = "--radius") -> float:
    """A coverage radius in metres: more than 0, at most 50 km."""
    r = params.number(name, value)
    if not 0 < r <= MAX_RADIUS_M:
        raise InvalidParameter(name, f"{r:g} must be more than 0 and at most {MAX_RADIUS_M:.0f} metres")
    return r


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def width(text: str) -> int:
    """Columns a terminal gives `text` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text: str, n: int) -> str:
    return text + " " * max(n - width(text), 0)


def rjust(text: str, n: int) -> str:
    return " " * max(n - width(text), 0) + text


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def coverage_table(doc: dict[str, Any], open_now: bool) -> str:
    """The report (CoverageReport.to_json()) as a Chinese table."""
    rows = [*doc["districts"], *([doc["total"]] if doc.get("total") else [])]
    name_w = max([width(r["name"]) for r in rows] + [6])
    which = "仅计此刻开放的站点" if open_now else "计入所有符合条件的站点（不论是否开放）"
    head = f"# 覆盖率 · {doc['at'][:16].replace('T', ' ')} 北京时间 · 半径 {doc['radius_m']:g} 米 · {which}"
    lines = [head, f"{ljust('区', name_w)}  {rjust('站点数', 8)}  {rjust('此刻开放', 8)}  {rjust('覆盖面积占比', 12)}"]
    for r in rows:
        lines.append(
            f"{ljust(r['name'], name_w)}  {r['stations']:>8}  {r['open']:>8}  {rjust(percent(r['covered_share']), 12)}"
        )
    lines.append(f"不在任何区界内的站点：{doc['outside']} 个")
    return "\n".join(lines)


def hours_table(doc: dict[str, Any]) -> str:
    """The hour curve (HourCurve.to_json()): one block per day kind, one row per district, the
    covered share in whole percent at every hour."""
    names = list(doc["districts"])
    name_w = max([width(n) for n in names] + [6])
    lines = [f"# 逐时覆盖率（%，仅计该时刻开放的站点） · 半径 {doc['radius_m']:g} 米"]
    for kind, day in doc["days"].items():
        lines.append("")
        lines.append(f"## {KIND_ZH.get(kind, kind)} {day}")
        lines.append(ljust("区", name_w) + "".join(f"{h:>4}" for h in range(24)))
        for name in names:
            curve = doc["districts"][name].get(kind, [])
            lines.append(ljust(name, name_w) + "".join(f"{round(s * 100):>4}" for s in curve))
    return "\n".join(lines)


def sites_table(doc: dict[str, Any]) -> str:
    """Candidate sites (SitesReport.to_json()) as a Chinese table."""
    dem = doc["demand"]
    lines = [
        f"# 候选站址（贪心最大覆盖未覆盖的需求；需求文件：{doc['source']}，半径 {doc['radius_m']:g} 米）",
        f"需求点 {dem['points']} 个，权重合计 {dem['weight']:g}；已覆盖 {percent(dem['share_before'])}，"
        f"新增以下站址后 {percent(dem['share_after'])}",
    ]
    cols = (
        ("序号", 4),
        ("经度", 11),
        ("纬度", 10),
        ("高德坐标 GCJ-02", 22),
        ("区", 8),
        ("新覆盖权重", 10),
        ("累计覆盖", 8),
    )
    lines.append("  ".join(ljust(t, n) if t == "区" else rjust(t, n) for t, n in cols))
    for s in doc["sites"]:
        cells = (
            str(s["rank"]),
            f"{s['lon']:.6f}",
            f"{s['lat']:.6f}",
            f"{s['gcj02'][0]:.6f},{s['gcj02'][1]:.6f}",
            s["district"],
            f"{s['weight']:g}",
            percent(s["share_after"]),
        )
        lines.append(
            "  ".join(ljust(c, n) if t == "区" else rjust(c, n) for c, (t, n) in zip(cells, cols, strict=True))
        )
    if not doc["sites"]:
        lines.append("没有能新覆盖需求的站址：所有需求点都已在覆盖半径内")
    return "\n".join(lines)


HEALTH_COLUMNS: Final = (
    ("unknown_hours", "开放时间未知"),
    ("not_verified_180d", "180天未核实"),
    ("outside_boundary", "位置与区不符"),
    ("suspected_duplicates", "疑似重复"),
)


def health_table(doc: dict[str, Any]) -> str:
    """Data health by district (health_json) as a Chinese table, with example ids per check."""
    rows = [*doc["districts"], doc["outside"], doc["total"]]
    name_w = max([width(r["name"]) for r in rows] + [6])
    head = ljust("区", name_w) + f"  {rjust('站点', 6)}" + "".join(f"  {rjust(zh, 12)}" for _, zh in HEALTH_COLUMNS)
    lines = ["# 数据质量（按区界）", head]
    for r in rows:
        counts = "".join(f"  {r[k]['count']:>12}" for k, _ in HEALTH_COLUMNS)
        lines.append(f"{ljust(r['name'], name_w)}  {r['stations']:>6}{counts}")
    for key, zh in HEALTH_COLUMNS:
        examples = doc["total"][key]["examples"]
        if examples:
            lines.append(f"{zh}，例如：{'、'.join(examples)}")
    return "\n".join(lines)


def _readable(path_text: str, name: str) -> Path:
    path = Path(path_text)
    if not path.exists():
        raise InvalidParameter(name, f"{path_text}: does not exist")
    if path.is_dir():
        raise InvalidParameter(name, f"{path_text} is a folder")
    if not os.access(path, os.R_OK):
        raise InvalidParameter(name, f"{path_text}: permission denied")
    return path


def _every_tenth(say: Callable[[str], None]) -> Callable[[int, int], None]:
    """hour_curve's progress(done, total) as a stderr line about every tenth of the work."""

    def step(done: int, total: int) -> None:
        if done == total or done % max(total // 10, 1) == 0:
            say(f"hour curve: {done}/{total} hours")

    return step


def _progress_line(kinds: int = 3) -> Callable[[str], None]:
    started = time.monotonic()

    def say(msg: str) -> None:
        _err(f"coverage: {msg} ({time.monotonic() - started:.1f} s)")

    say(f"hour curve: {kinds} day kinds × 24 hours …")
    return say


def cmd_coverage(args: argparse.Namespace) -> int:
    from locator.cli import _locator  # the registry as every command loads it
    from locator.coverage.compute import coverage
    from locator.coverage.districts import load_districts
    from locator.holidays import load_holidays

    at = params.moment(args.at, "--at")
    radius_m = radius(args.radius)
    amenities = params.amenities(args.amenity, "--amenity")
    station_type = params.station_type(args.type, "--type")
    if args.sites is not None and args.demand is None:
        raise InvalidParameter(
            "--sites", "needs --demand FILE (weighted demand points): without demand every empty place ties"
        )
    n_sites = params.count(args.sites if args.sites is not None else 10, "--sites", MAX_SITES)
    demand_path = _readable(args.demand, "--demand") if args.demand is not None else None

    filters: dict[str, Any] = {"radius_m": radius_m, "amenities": amenities, "station_type": station_type}
    loc = _locator(args.registry, load_holidays(args.settings.holidays))
    districts = load_districts()
    demand = _load_demand(demand_path) if demand_path is not None else None
    report = coverage(loc, districts, at=at, open_now=args.open_now, **filters)
    doc: dict[str, Any] = report.to_json()
    text = [coverage_table(doc, args.open_now)]
    if args.hours:
        from locator.coverage.hourly import hour_curve

        say = _progress_line()
        curve = hour_curve(loc, districts, progress=_every_tenth(say), **filters).to_json()
        say("hour curve done")
        doc["hours"] = curve
        text.append(hours_table(curve))
    if demand is not None:
        from locator.coverage.sites import candidate_sites

        sites = candidate_sites(loc, districts, demand, n=n_sites, at=at, open_now=args.open_now, **filters)
        doc["sites"] = sites.to_json()
        text.append(sites_table(doc["sites"]))
    if args.health:
        from locator.coverage.health import district_health, health_json

        doc["health"] = health_json(district_health(loc, districts, today=at.date()))
        text.append(health_table(doc["health"]))
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write("\n\n".join(text) + "\n")
    return 0


def _load_demand(path: Path) -> Any:
    """The demand file, or one line naming it (an unusable file is a bad argument); a file with bad
    rows raises RegistryInvalid: one line per row, exit 1, as an import's problems."""
    from locator.coverage.sites import load_demand

    try:
        return load_demand(path)
    except InvalidParameter as exc:  # the file as a whole cannot be used: name the option
        raise InvalidParameter("--demand", exc.reason if exc.name == "FILE" else f"{exc.name}: {exc.reason}") from None
    except OSError as exc:
        raise InvalidParameter("--demand", f"{path}: {exc.strerror or exc}") from None


def add_parser(add: Callable[[str, str], argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    del parser_class  # no subcommands of its own
    p = add("coverage", "per district: stations, stations open at a moment, share of the area within a radius")
    p.add_argument("--at", metavar="ISO8601", help="moment to evaluate (default now, Beijing time)")
    p.add_argument("--radius", default="1000", metavar="METRES", help="reach of a station (default 1000, max 50000)")
    p.add_argument("--amenity", action="append", metavar="ID", help="required amenity (repeat: all of them)")
    p.add_argument("--type", metavar="ID", help="station type id")
    p.add_argument("--open-now", action="store_true", help="only stations open at --at cover")
    p.add_argument("--hours", action="store_true", help="also the covered share hour by hour (3 day kinds)")
    p.add_argument("--demand", metavar="FILE", help="weighted demand points (CSV / GeoPackage): rank new sites")
    p.add_argument("--sites", metavar="N", help=f"with --demand: how many sites (1-{MAX_SITES}, default 10)")
    p.add_argument("--health", action="store_true", help="also data health by district")
    p.add_argument("--json", action="store_true", help="print JSON (the contract's shape, plus `total`)")
    p.set_defaults(func=cmd_coverage)

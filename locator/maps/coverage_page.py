"""The planners' page `coverage.html`: districts coloured by the share of their area within reach
of a station, the areas out of reach, and each district's hour curve.

Served by `locator serve`, the page asks the API (/coverage, /coverage/hours, /coverage/uncovered)
for the moment and radius chosen. Opened from disk it shows what the build embedded: the hour
curves at 1000 m on reference days, the share covered by every station whatever its hours, and
the areas out of reach of every station. A build must be byte-identical for unchanged data, so the
embedded days come from the holiday table (the first workday, ordinary Saturday and statutory day
off of its newest year), never from today's date.

The page uses the vendored Leaflet and engine.js (the one copy of the GCJ-02 formula: Amap tiles
are GCJ-02) and lives under the same Content-Security-Policy as the worker map: no inline script
or style.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
from collections.abc import Sequence
from typing import Any, Final

import orjson

from locator.holidays import HolidayCalendar
from locator.hours_syntax import BEIJING
from locator.maps.assets import STATIC, Published, hashed, with_gzip
from locator.model import Station

COVERAGE_JS: Final = STATIC / "coverage.js"
COVERAGE_CSS: Final = STATIC / "coverage.css"
RADIUS_M: Final = 1000.0
REFERENCE_HOUR: Final = 10
SIMPLIFY_M: Final = 30.0
TITLE: Final = "驿站覆盖分析 · 北京各区"
_BUILDS: Final = itertools.count()


def reference_day(cal: HolidayCalendar) -> dt.date:
    """1 January of the newest year the holiday table covers: the embedded hour curves are for
    the next workday, Saturday and statutory day off from it (locator.coverage.hourly.day_kinds)."""
    return dt.date(max(cal.years) if cal.years else 2026, 1, 1)


def _inputs_key(stations: Sequence[Station], cal: HolidayCalendar) -> str:
    """Digest of what coverage depends on: an edit of a name or a phone number reuses the data."""
    h = hashlib.sha256(repr((sorted(cal.days_off), sorted(cal.workdays), sorted(cal.years))).encode())
    for s in stations:
        h.update(repr((s.lon, s.lat, s.opening_hours, s.status, s.type, tuple(s.amenities))).encode())
    return h.hexdigest()


_DATA: dict[str, bytes] = {}  # inputs digest → the data script (the last few builds of this process)


def data_script(stations: Sequence[Station], cal: HolidayCalendar, version: str) -> bytes:
    key = _inputs_key(stations, cal)
    body = _DATA.get(key)
    if body is None:
        body = b"self.COVERAGE_DATA=" + orjson.dumps(page_data(stations, cal, version)) + b";\n"
        while len(_DATA) >= 4:
            _DATA.pop(next(iter(_DATA)))
        _DATA[key] = body
    return body


def page_data(stations: Sequence[Station], cal: HolidayCalendar, version: str) -> dict[str, Any]:
    """What the page shows when opened from disk (all of it computed by locator.coverage)."""
    from locator.coverage.compute import coverage
    from locator.coverage.hourly import day_kinds, hour_curve
    from locator.coverage.uncovered import uncovered
    from locator.coverage.districts import load_districts
    from locator.registry import Registry
    from locator.service import Locator

    # a version of its own: the core caches hour curves per registry version, and two registries
    # built in one process (the watcher, tests) may share a version number
    loc = Locator(Registry(list(stations), version=f"maps-{version}-{next(_BUILDS)}"), cal)
    districts = load_districts()
    days = day_kinds(cal, reference_day(cal))
    first = days.get("workday") or next(iter(days.values()))
    at = dt.datetime.combine(first, dt.time(REFERENCE_HOUR), BEIJING)
    curve = hour_curve(loc, districts, radius_m=RADIUS_M, days=days)
    report = coverage(loc, districts, at=at, radius_m=RADIUS_M, open_now=False)
    gaps = uncovered(loc, districts, at=at, radius_m=RADIUS_M, open_now=False, simplify_m=SIMPLIFY_M)
    return {
        "radius_m": RADIUS_M,
        "districts": districts.to_geojson(simplify_m=SIMPLIFY_M),
        "hours": curve.to_json(),
        "report": report.to_json(),
        "uncovered": gaps,
    }


def _html(paths: dict[str, str]) -> bytes:
    css = "".join(f'<link rel="stylesheet" href="{paths[k]}">\n' for k in ("css:leaflet", "css:coverage"))
    js = "".join(
        f'<script defer src="{paths[k]}"></script>\n' for k in ("js:leaflet", "js:engine", "data", "js:coverage")
    )
    doc = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(TITLE)}</title>
<meta name="description" content="工会工作人员用：各区距离开放驿站在步行范围内的面积占比，按时刻、半径和日类型">
<meta name="theme-color" content="#b3261e">
{css}{js}</head>
<body class="cv">
<svg class="cv-defs" aria-hidden="true" focusable="false"><defs>
<pattern id="cv-hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)">
<rect width="8" height="8" fill="#e8590c" fill-opacity="0.12"/>
<line x1="0" y1="0" x2="0" y2="8" stroke="#c2410c" stroke-width="2"/>
</pattern></defs></svg>
<div id="cv-map" class="cv-map" role="region" aria-label="覆盖地图"></div>
<aside class="cv-panel" aria-label="覆盖分析">
<h1 class="cv-title">驿站覆盖分析 <span class="cv-title-sub">北京各区</span></h1>
<p class="cv-intro">各区面积中，距离符合条件的驿站不超过所选半径（直线距离）的比例。</p>
<form class="cv-controls" id="cv-controls">
<label class="cv-field" for="cv-day">日期</label>
<select id="cv-day" class="cv-input"></select>
<input id="cv-date" class="cv-input" type="date" hidden aria-label="其他日期">
<label class="cv-field" for="cv-hour">时刻 <output id="cv-hour-out" for="cv-hour">10:00</output></label>
<input id="cv-hour" class="cv-range" type="range" min="0" max="23" step="1" value="10">
<label class="cv-field" for="cv-radius">半径</label>
<select id="cv-radius" class="cv-input"></select>
<label class="cv-check"><input id="cv-open" type="checkbox" checked> 只计此刻开放的驿站</label>
</form>
<p id="cv-status" class="cv-status" role="status"></p>
<div class="cv-legend" id="cv-legend" aria-label="图例"></div>
<section class="cv-detail" id="cv-detail" aria-live="polite"></section>
<table class="cv-table" id="cv-table"><caption>各区覆盖率（点击查看逐时曲线）</caption>
<thead><tr><th scope="col">区</th><th scope="col">站点</th><th scope="col">开放</th>
<th scope="col">覆盖</th></tr></thead>
<tbody></tbody></table>
<p class="cv-foot"><a href="index.html">驿站地图</a> · <a href="pages.html">全部页面</a> · 底图 &copy; 高德地图</p>
</aside>
<noscript>本页面需要启用 JavaScript。</noscript>
</body>
</html>
"""
    return doc.encode()


def coverage_files(
    stations: Sequence[Station], cal: HolidayCalendar, version: str, asset_paths: dict[str, str]
) -> list[Published]:
    """coverage.html, its script, style and data (paths relative to maps/); `asset_paths` are
    the shared assets (Leaflet, engine.js) the build already publishes."""
    files: list[Published] = []
    paths = dict(asset_paths)
    for src, stem in ((COVERAGE_JS, "coverage"), (COVERAGE_CSS, "coverage")):
        ext = src.suffix[1:]
        data = src.read_bytes()
        paths[f"{ext}:{stem}"] = hashed(stem, ext, data)
        files += with_gzip(paths[f"{ext}:{stem}"], data)
    body = data_script(stations, cal, version)
    paths["data"] = hashed("data-coverage", "js", body)
    files += with_gzip(paths["data"], body)
    files.append(Published("coverage.html", _html(paths)))
    return files

"""`locator build-maps`: every page of a registry, written atomically and reproducibly.

Pages: `index.html` (all stations), one page per district present in the registry, and
`pages.html` (an index of pages). Everything is planned in memory first; then changed files are
written one by one through a temporary file and a rename, assets and data before the HTML that
references them, and files of an older build are removed last. A failed build changes nothing;
an interrupted one leaves every page pointing at files that exist. Unchanged data gives
byte-identical output, so `maps/` can be committed and `--check` can fail CI when it is stale.
The manifest (manifest.py) is written last, also when nothing else changed.
"""

from __future__ import annotations

import hashlib
import html
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import orjson

from locator.holidays import HolidayCalendar
from locator.maps.assets import Published, hashed, with_gzip
from locator.maps.coverage_page import coverage_files
from locator.maps.data import HoursCache, page_data
from locator.maps.manifest import NAME as MANIFEST
from locator.maps.page import PageSpec, render, shared_assets
from locator.model import Station
from locator.atomic import atomic_write

BEIJING_CENTER: Final = (39.9042, 116.4074)
DISTRICT_SLUGS: Final = {
    "东城区": "dongcheng", "西城区": "xicheng", "朝阳区": "chaoyang", "丰台区": "fengtai",
    "石景山区": "shijingshan", "海淀区": "haidian", "门头沟区": "mentougou", "房山区": "fangshan",
    "通州区": "tongzhou", "顺义区": "shunyi", "昌平区": "changping", "大兴区": "daxing",
    "怀柔区": "huairou", "平谷区": "pinggu", "密云区": "miyun", "延庆区": "yanqing",
}  # fmt: skip

Progress = Callable[[str], None]


def district_slug(name: str) -> str:
    return DISTRICT_SLUGS.get(name) or "d-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _view(stations: list[Station]) -> tuple[tuple[float, float], int]:
    """Centre (median point) and a zoom that shows most of the stations."""
    if not stations:
        return BEIJING_CENTER, 11
    lats = sorted(s.lat for s in stations)
    lons = sorted(s.lon for s in stations)
    centre = (round(statistics.median(lats), 5), round(statistics.median(lons), 5))
    k = max(len(lats) // 20, 0)
    span = max(lats[-1 - k] - lats[k], (lons[-1 - k] - lons[k]) * 0.77, 0.005)
    zoom = 15 if span < 0.02 else 14 if span < 0.05 else 13 if span < 0.1 else 12 if span < 0.2 else 11
    return centre, zoom if span < 0.4 else 10


def _data_file(
    slug: str, stations: list[Station], cal: HolidayCalendar, version: str | None, hours_cache: HoursCache | None
) -> Published:
    doc = page_data(stations, cal, version, hours_cache)
    body = b"self.LOCATOR_DATA=" + orjson.dumps(doc) + b";\n"  # `self`: a page or a Web Worker
    return Published(hashed(f"data-{slug}", "js", body), body)


def _pages_index(pages: list[tuple[str, str, int]], css: str) -> Published:
    items = "\n".join(
        f'<li><a href="{slug}.html">{html.escape(title)}</a> <span class="lc-count">{n} 个站点</span></li>'
        for slug, title, n in pages
    )
    doc = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>暖心驿站地图 · 全部页面</title>
<link rel="stylesheet" href="{css}">
</head>
<body class="lc-pages">
<main>
<h1>暖心驿站地图</h1>
<p>选择要查看的地图：</p>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""
    return Published("pages.html", doc.encode())


@dataclass
class Plan:
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, items: list[Published]) -> None:
        for p in items:
            self.files[p.path] = p.data


@dataclass(frozen=True)
class Page:
    """One map page and the files it owns (HTML, its script and style, its data)."""

    slug: str
    title: str
    count: int
    files: list[Published]


def page_groups(stations: Iterable[Station]) -> list[tuple[str, str, list[Station]]]:
    """(slug, title, stations) of every page: all stations, then one page per district by name;
    `closed` stations are on none."""
    live = [s for s in stations if s.status != "closed"]
    by_district: dict[str, list[Station]] = {}
    for s in live:
        if s.district:
            by_district.setdefault(s.district, []).append(s)
    pages: list[tuple[str, str, list[Station]]] = [("index", INDEX_TITLE, live)]
    for name in sorted(by_district):
        pages.append((district_page(name), district_title(name), by_district[name]))
    return pages


INDEX_TITLE: Final = "暖心驿站地图 · 全部站点"


def district_page(name: str) -> str:
    return f"district-{district_slug(name)}"


def district_title(name: str) -> str:
    return f"暖心驿站地图 · {name}"


def build_page(
    slug: str,
    title: str,
    subset: list[Station],
    cal: HolidayCalendar,
    version: str,
    asset_paths: dict[str, str],
    *,
    tianditu_key: str | None = None,
    hours_cache: HoursCache | None = None,
) -> Page:
    """A page's files. Only the all-stations page names the registry version in its data, so a
    district page changes only when its own stations do."""
    data = _data_file(slug, subset, cal, version if slug == "index" else None, hours_cache)
    centre, zoom = _view(subset)
    # level 6: a third of level 9's time on station data (rebuilt at every edit), ~3 % larger
    files = [*with_gzip(data.path, data.data, level=6)]
    files += render(PageSpec(slug, title, centre, zoom, data.path, tianditu_key), asset_paths)
    return Page(slug, title, len(subset), files)


def assemble(assets: list[Published], pages: list[Page], css: str, manifest: bytes | None) -> Plan:
    """Every file of a build from its parts; `manifest` (what the build was made from) is added
    as .build.json."""
    out = Plan()
    out.add(assets)
    for page in pages:
        out.add(page.files)
    out.add([_pages_index([(p.slug, p.title, p.count) for p in pages], css)])
    if manifest is not None:
        out.add([Published(MANIFEST, manifest)])
    return out


def plan(
    stations: list[Station],
    cal: HolidayCalendar,
    version: str,
    *,
    tianditu_key: str | None = None,
    progress: Progress | None = None,
    manifest: bytes | None = None,
    hours_cache: HoursCache | None = None,
) -> Plan:
    """Every file of a build, in memory."""
    asset_paths, assets = shared_assets()
    groups = page_groups(stations)
    pages: list[Page] = []
    for n, (slug, title, subset) in enumerate(groups, start=1):
        if progress:
            progress(f"page {n}/{len(groups)}: {slug}.html ({len(subset)} stations)")
        pages.append(
            build_page(slug, title, subset, cal, version, asset_paths, tianditu_key=tianditu_key, hours_cache=hours_cache)
        )
    cover = coverage_files(stations, cal, version, asset_paths)  # the planners' page coverage.html
    return assemble([*assets, *cover], pages, asset_paths["css:app"], manifest)


def _ours(rel: str) -> bool:
    """Files a build owns (and may delete): top-level .html pages, the manifest and assets/."""
    return rel.startswith("assets/") or rel == MANIFEST or ("/" not in rel and rel.endswith(".html"))


@dataclass
class Result:
    written: list[str]
    unchanged: int
    removed: list[str]


def differences(out_dir: Path, p: Plan) -> Result:
    written = [rel for rel, data in p.files.items() if not _same(out_dir / rel, data)]
    existing = {f.relative_to(out_dir).as_posix() for f in out_dir.rglob("*") if f.is_file()} if out_dir.exists() else set()
    removed = sorted(rel for rel in existing if _ours(rel) and rel not in p.files)
    return Result(sorted(written), len(p.files) - len(written), removed)


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def write(out_dir: Path, p: Plan) -> Result:
    return apply_diff(out_dir, p, differences(out_dir, p))


def changes_between(old: Plan, new: Plan) -> Result:
    """What turns the build `old` (known to be on disk) into `new`, compared in memory."""
    written = [rel for rel, data in new.files.items() if old.files.get(rel) != data]
    removed = sorted(rel for rel in old.files if rel not in new.files and _ours(rel))
    return Result(sorted(written), len(new.files) - len(written), removed)


def apply_diff(out_dir: Path, p: Plan, diff: Result) -> Result:
    # assets and data, then the pages that reference them, then the manifest that vouches for all
    pages_last = sorted(diff.written, key=lambda rel: (rel == MANIFEST, rel.endswith(".html"), rel))
    for rel in pages_last:
        atomic_write(out_dir / rel, p.files[rel])
    for rel in diff.removed:
        (out_dir / rel).unlink(missing_ok=True)
    return diff

"""The pages of a store, kept in step change by change.

A full build reads every station of the store; after it the stations, the encoded hours and
each page's files stay in memory, and `update` applies the store's new revisions
(`store.changes(since=…)`): only the pages of the districts a revision touched (its district
before and after) are rebuilt, plus the all-stations page and the page index. Stations keep the
store's order (first added first), so an updated build is byte-identical to a full one made at
the same change: `build-maps --check` agrees with the watcher. Files are compared in memory with
the previous build, so an edit writes only what it changed.

One exception, for registries larger than `COVERAGE_LARGE`: the planners' page data (hour curves
of every district, computed from every station) is refreshed by `update` at most every
`COVERAGE_EVERY_S`, not at each edit — at 10⁶ stations one refresh takes minutes of CPU and GBs.
Served pages ask `/coverage` and are always current; only the copy for opening from disk lags.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import orjson

from locator.filelock import file_digest
from locator.holidays import HolidayCalendar, load_holidays
from locator.maps import manifest
from locator.maps.assets import Published
from locator.maps.build import (
    INDEX_TITLE,
    Page,
    Plan,
    Progress,
    Result,
    apply_diff,
    assemble,
    build_page,
    changes_between,
    differences,
    district_page,
    district_title,
    page_groups,
)
from locator.maps.coverage_page import coverage_files
from locator.maps.data import HoursCache
from locator.maps.page import shared_assets
from locator.model import Station
from locator.store import Revision, Store
from locator.store.features import station_from_json

#: more revisions than this since the last build: read the store again instead of applying them
MAX_APPLIED: Final = 20_000
COVERAGE_LARGE: Final = 100_000
COVERAGE_EVERY_S: Final = 600.0
_PAGE: Final = 5_000


def _district(feature: bytes | None) -> str | None:
    if feature is None:
        return None
    value = orjson.loads(feature)["properties"].get("district")
    return value if isinstance(value, str) and value else None


@dataclass
class Built:
    """What the pages on disk were made from, and their files."""

    seq: int
    at: str
    stations: dict[str, Station]
    pages: dict[str, Page]  # slug -> page, in page order
    plan: Plan
    hours: HoursCache = field(default_factory=dict)


class StoreMaps:
    """Builds the pages of `store` into `out_dir`; `update` follows its changes."""

    def __init__(self, store: Store, holidays: Path, out_dir: Path, *, tianditu_key: str | None = None) -> None:
        self.store = store
        self.holidays = holidays
        self.out_dir = out_dir
        self.tianditu_key = tianditu_key
        self.built: Built | None = None
        self._cal: HolidayCalendar | None = None
        self._holidays_digest = ""
        self._assets = shared_assets()
        self._cover: tuple[float, list[Published]] | None = None  # when made, the coverage files

    # -- full builds ---------------------------------------------------------------------------
    def load(self, progress: Progress | None = None) -> Built:
        """Plan every page from the store's current stations (nothing is written)."""
        self._holidays_digest = file_digest(self.holidays)  # before reading: a later change is seen as stale
        self._cal = load_holidays(self.holidays)
        head = manifest.head_identity(self.store)  # before the stations: a change in between is applied again
        stations = {s.id: s for s in self.store.stations()}
        hours: HoursCache = {}
        pages: dict[str, Page] = {}
        groups = page_groups(stations.values())
        for n, (slug, title, subset) in enumerate(groups, start=1):
            if progress:
                progress(f"page {n}/{len(groups)}: {slug}.html ({len(subset)} stations)")
            pages[slug] = self._page(slug, title, subset, str(head["registry_seq"]), hours)
        seq, at = int(head["registry_seq"]), str(head["registry_changed_at"])
        built = Built(seq, at, stations, pages, self._plan(pages, seq, at, stations, fresh=True), hours)
        self.built = built
        return built

    def build(self, *, check: bool = False, progress: Progress | None = None) -> Result:
        """A full build (with `check`, only the comparison with what is on disk)."""
        plan = self.load(progress).plan
        diff = differences(self.out_dir, plan)
        return diff if check else apply_diff(self.out_dir, plan, diff)

    # -- one change at a time --------------------------------------------------------------------
    def pending(self) -> list[Revision] | None:
        """Revisions since the last build, oldest first; None when there are too many to apply."""
        assert self.built is not None
        out: list[Revision] = []
        while True:
            batch = self.store.changes(self.built.seq if not out else out[-1].seq, _PAGE)
            out.extend(batch)
            if len(out) > MAX_APPLIED:
                return None
            if len(batch) < _PAGE:
                return out

    def update(self) -> Result | None:
        """Apply the store's new revisions to the pages; None when there were none. A full build
        when nothing was built yet or too much changed."""
        if self.built is None:
            return self.build()
        revisions = self.pending()
        if revisions is None:
            return self.build()
        if not revisions:
            return None
        old = self.built
        stations = dict(old.stations)
        touched: set[str] = set()
        for r in revisions:
            touched.update(d for d in (_district(r.before), _district(r.after)) if d)
            if r.after is None:
                stations.pop(r.station_id, None)
            else:
                stations[r.station_id] = station_from_json(r.after)
        seq, at = revisions[-1].seq, revisions[-1].at
        pages = self._repage(old, stations, touched, seq)
        built = Built(seq, at, stations, pages, self._plan(pages, seq, at, stations), old.hours)
        diff = changes_between(old.plan, built.plan)
        apply_diff(self.out_dir, built.plan, diff)
        self.built = built
        return diff

    def _repage(self, old: Built, stations: dict[str, Station], touched: set[str], seq: int) -> dict[str, Page]:
        live = [s for s in stations.values() if s.status != "closed"]
        subsets: dict[str, list[Station]] = {name: [] for name in touched}
        for s in live:
            if s.district in subsets:
                subsets[s.district].append(s)
        fresh = {"index": self._page("index", INDEX_TITLE, live, str(seq), old.hours)}
        for name, subset in subsets.items():
            if subset:
                fresh[district_page(name)] = self._page(
                    district_page(name), district_title(name), subset, str(seq), old.hours
                )
        gone = {district_page(name) for name, subset in subsets.items() if not subset}
        merged = {slug: page for slug, page in old.pages.items() if slug not in gone} | fresh
        # page order as a full build has it: all stations first, then districts by name
        titles = {slug: page.title for slug, page in merged.items()}
        return {slug: merged[slug] for slug in sorted(merged, key=lambda s: (s != "index", titles[s]))}

    # -- parts -----------------------------------------------------------------------------------
    def _page(self, slug: str, title: str, subset: list[Station], version: str, hours: HoursCache) -> Page:
        assert self._cal is not None
        paths = self._assets[0]
        return build_page(
            slug, title, subset, self._cal, version, paths, tianditu_key=self.tianditu_key, hours_cache=hours
        )

    def _plan(
        self, pages: dict[str, Page], seq: int, at: str, stations: dict[str, Station], *, fresh: bool = False
    ) -> Plan:
        made_from = manifest.manifest(manifest.store_identity(seq, at), self._holidays_digest, self.tianditu_key)
        paths, assets = self._assets
        assert self._cal is not None
        now = time.monotonic()
        kept = self._cover
        if fresh or kept is None or len(stations) <= COVERAGE_LARGE or now - kept[0] >= COVERAGE_EVERY_S:
            kept = self._cover = (now, coverage_files(list(stations.values()), self._cal, str(seq), paths))
        return assemble([*assets, *kept[1]], list(pages.values()), paths["css:app"], made_from)

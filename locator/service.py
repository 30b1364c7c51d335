"""The locator: a loaded registry with its hours book and spatial index, queried by the faces.

It knows no web framework: the CLI and the HTTP API both call `nearest`, `station` and
`stations_in_bbox`, and turn the results into text or GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from locator import params, vocab
from locator.columns import StoreSource, load_columns
from locator.coords import point_to_wgs84
from locator.geo import unit_vector
from locator.holidays import HolidayCalendar, load_holidays
from locator.hours import HoursBook, OpenState, beijing, look_ahead_warning
from locator.model import Station
from locator.nearest import Filters, StationIndex, amenity_mask, chord_to_metres, max_chord_for
from locator.overlay import Overlay
from locator.paging import Box, Filter, Matched, Pages
from locator.registry import Registry, load_registry
from locator.rows import Rows
from locator.store import Revision, Store
from locator.store.features import station_from_json
from locator.tree_snapshot import load_tree, save_tree
from locator.view import ByIdView, ListSource, LiveRegistry, Source, StationsView

log = logging.getLogger("locator.index")


@dataclass(frozen=True, slots=True)
class Hit:
    station: Station
    state: OpenState
    distance_m: float | None = None


@dataclass
class NearestResult:
    hits: list[Hit]
    at: dt.datetime
    warnings: list[str] = field(default_factory=list)


class Locator:
    """Immutable once built: `apply` and a registry reload build a new Locator to swap in.

    The index is a *base* (columns and a cKDTree, built once) plus an *overlay* of the stations
    changed since (locator/overlay.py), so applying a change costs the change, not the registry.
    """

    def __init__(self, registry: Registry, calendar: HolidayCalendar | None = None) -> None:
        cal = calendar if calendar is not None else load_holidays()
        exprs = sorted({s.opening_hours for s in registry.stations if s.opening_hours is not None})
        book = HoursBook(exprs, cal)
        index = StationIndex.from_stations(registry.stations, book)
        seq = int(registry.version) if registry.version.isdigit() else 0
        mark = f"list:{registry.version}:{len(registry.stations)}"
        self._setup(cal, book, index, ListSource(registry.stations), None, Overlay(len(registry.stations)), seq, mark)
        self.registry: Registry | LiveRegistry = registry

    def _setup(
        self,
        calendar: HolidayCalendar,
        book: HoursBook,
        index: StationIndex,
        source: Source,
        alive: NDArray[np.bool_] | None,
        overlay: Overlay,
        seq: int,
        mark: str,
    ) -> None:
        self.calendar, self.book, self.index = calendar, book, index
        self._source, self._alive, self._overlay, self._seq = source, alive, overlay, seq
        self._store: Store | None = None
        self._compaction: _Compaction | None = None
        self._pages = Pages(index, alive, overlay, mark)
        rows = self._rows = Rows(source, alive, overlay)  # the views hold it, not self: no cycle
        view = StationsView(len(rows), rows.slots, rows.at)
        self.registry = LiveRegistry(view, ByIdView(rows.find, view), version=str(seq))

    @classmethod
    def load(cls, path: Path | None = None, calendar: HolidayCalendar | None = None) -> Locator:
        return cls(load_registry(path), calendar)

    @classmethod
    def from_store(
        cls,
        store: Store,
        calendar: HolidayCalendar | None = None,
        *,
        snapshot_dir: Path | None = None,
        behind: int = 0,
    ) -> Locator:
        """The store's current stations, loaded as columns (locator/columns.py: no Station object
        is built until a response needs it) and brought up to the store's head. `registry.version`
        is the change sequence they reflect. A snapshot more than `behind` changes old (default
        COMPACT_AT) is replaced by a fresh one."""
        cal = calendar if calendar is not None else load_holidays()
        cols = load_columns(store, snapshot_dir, behind=behind or COMPACT_AT)
        book = HoursBook(list(cols.exprs), cal)
        saved = load_tree(cols.folder)
        index = StationIndex(
            cols.lon, cols.lat, cols.amenities, cols.type_code, cols.status_code, cols.expr_id, book, saved
        )  # fmt: skip
        if index.tree is not saved:
            save_tree(cols.folder, index.tree)
        loc = cls.__new__(cls)
        mark = f"store:{cols.seq}:{len(cols)}"
        loc._setup(cal, book, index, StoreSource(store, cols), None, Overlay(len(cols)), cols.seq, mark)
        loc._store = store
        return loc.catch_up()

    def catch_up(self, batch: int = 10_000) -> Locator:
        """This Locator brought up to its store's head (itself when there is no store or news)."""
        loc = self
        while loc._store is not None:
            news = loc._store.changes(loc.seq, batch)
            if not news:
                break
            loc = loc.apply(news)
        return loc

    @property
    def seq(self) -> int:
        """The change sequence this Locator reflects (store-backed registries; 0 otherwise)."""
        return self._seq

    # -- applying changes ---------------------------------------------------------------------
    def apply(self, revisions: Iterable[Revision]) -> Locator:
        """A new Locator with these revisions applied (this one is left untouched, so requests
        in flight keep a consistent view). Revisions at or below `seq` are skipped. Costs the
        changes, not the registry: the base's tree is kept (see the class docstring)."""
        staged: dict[str, tuple[Station | None, int]] = {}
        head, next_key = self.seq, self._overlay.next_key
        for r in revisions:
            if r.seq <= self.seq:
                continue
            head = max(head, r.seq)
            sid = r.station_id
            if sid in staged:
                key: int | None = staged[sid][1] if staged[sid][0] is not None else None
            else:
                key = self._rows.key_of(sid)
            if r.after is None:
                staged[sid] = (None, -1)
                continue
            if key is None:  # added, or re-created after a delete: it goes last, as in the store
                key, next_key = next_key, next_key + 1
            staged[sid] = (station_from_json(r.after), key)
        if head == self.seq:
            return self
        adopted = self._adopt_compacted(head)
        if adopted is not None:
            return adopted
        self.book.add([st.opening_hours for st, _ in staged.values() if st is not None and st.opening_hours])
        killed = [p for sid in staged if sid not in self._overlay.where and (p := self._source.find(sid)) is not None]
        alive, index = self._alive, self.index
        if killed:
            alive = np.ones(len(self._source), np.bool_) if alive is None else alive.copy()
            alive[killed] = False
            index = index.kill(np.asarray(killed, dtype=np.int64))
        overlay = replace(self._overlay.with_changes(staged, self.book), next_key=next_key)
        loc = Locator.__new__(Locator)
        loc._setup(self.calendar, self.book, index, self._source, alive, overlay, head, self._pages.mark)
        added = [(k, st) for st, k in staged.values() if st is not None]
        self._pages.carry_into(loc._pages, (k for s in staged if (k := self._rows.key_of(s)) is not None), added)
        loc._store = self._store
        loc._compaction = self._compaction
        if len(overlay) >= COMPACT_AT and loc._store is not None:
            loc._compact()
        return loc

    def _compact(self) -> None:
        """Rebuild the base from the store in the background once the overlay has grown; a later
        `apply` swaps it in (the tree is never rebuilt on a request's path)."""
        if self._compaction is None or self._compaction.failed:
            assert self._store is not None
            self._compaction = _Compaction(self._store, self.calendar)

    def _adopt_compacted(self, head: int) -> Locator | None:
        fresh = self._compaction.result if self._compaction is not None else None
        if fresh is None or fresh.seq > head:
            return None
        assert fresh._store is not None
        news = fresh._store.changes(fresh.seq, head - fresh.seq + 1000)
        return fresh.apply([r for r in news if r.seq <= head])

    @property
    def stations(self) -> Sequence[Station]:
        return self.registry.stations

    def open_state(self, station: Station, at: dt.datetime) -> OpenState:
        when = beijing(at)
        return self._state_at(station, when.timestamp(), self.calendar.missing_year_warning(when.date()))

    def _state_at(self, station: Station, t: float, warning: str | None) -> OpenState:
        if station.status != "open":
            return OpenState(False, None, warning)
        eid = self.book.expr_id(station.opening_hours)
        return self.book.state_at(eid, t, warning)

    def nearest(
        self,
        lat: object,
        lon: object,
        *,
        k: object = 5,
        crs: str | None = "wgs84",
        amenities: Sequence[str] = (),
        station_type: str | None = None,
        open_now: bool = False,
        at: str | dt.datetime | None = None,
        max_distance_m: object | None = None,
    ) -> NearestResult:
        """The k nearest stations (never `closed` ones); every argument is checked here."""
        lat_f, lon_f = params.latitude(lat), params.longitude(lon)
        k_i = params.count(k)
        crs_s = params.crs(crs)
        wanted = params.amenities(amenities)
        type_s = params.station_type(station_type)
        when = params.moment(at)
        limit = params.distance(max_distance_m)
        w_lon, w_lat = point_to_wgs84(lon_f, lat_f, crs_s)
        filters = Filters(
            amenity_mask=amenity_mask(wanted),
            type_code=vocab.TYPE_CODE[type_s] if type_s else -1,
            open_at=when.timestamp() if open_now else None,
            max_chord=max_chord_for(limit),
        )
        slots, dist = self._query(w_lon, w_lat, k_i, filters)
        warning = self.calendar.missing_year_warning(when.date())
        t = when.timestamp()
        found = [self._rows.at(p) for p in slots]
        hits = [Hit(st, self._state_at(st, t, warning), d) for st, d in zip(found, dist, strict=True)]
        warnings = [warning] if warning else []
        for hit in hits:  # a look-ahead into a year without holiday data (a few rows at most reach it)
            ahead = look_ahead_warning(self.calendar, t, hit.state) if hit.station.status == "open" else None
            if ahead and ahead not in warnings:
                warnings.append(ahead)
        return NearestResult(hits, when, warnings)

    def _query(self, lon: float, lat: float, k: int, f: Filters) -> tuple[list[int], list[float]]:
        """Slots and metres: the tree's answer merged with the overlay's, by (distance, order key)."""
        pos, dist = self.index.query(lon, lat, k, f)
        ov = self._overlay
        if not len(ov):
            return pos, dist
        rows, chord = ov.query(unit_vector(lon, lat), k, f, self.book)
        if not rows.size:
            return pos, dist
        nb = len(self._source)
        cand = [(d, p, p) for p, d in zip(pos, dist, strict=True)]
        cand += [(chord_to_metres(c), int(ov.key[r]), nb + int(r)) for r, c in zip(rows, chord, strict=True)]
        cand.sort()
        return [c[2] for c in cand[:k]], [c[0] for c in cand[:k]]

    def station(self, station_id: str, at: str | dt.datetime | None = None) -> Hit:
        when = params.moment(at)
        st = self.registry.get(station_id)
        return Hit(st, self.open_state(st, when))

    def matching(
        self, box: Box | None = None, *, amenities: Sequence[str] = (), station_type: str | None = None
    ) -> Matched:
        """The stations (not closed for good) in a WGS-84 box matching the filters, in registry
        order, pageable at the same cost at any offset (locator/paging.py)."""
        f = Filter.of(box, params.amenities(amenities), params.station_type(station_type))
        return Matched(self._pages.keys(f), self._pages, self._rows.at)

    def order_key(self, station_id: str) -> int | None:
        """The station's place in registry order (None when absent), valid while `page_mark` is."""
        return self._rows.key_of(station_id)

    @property
    def page_mark(self) -> str:
        """Names the base this Locator's order keys refer to."""
        return self._pages.mark

    def select(
        self,
        bbox_wgs84: tuple[float, float, float, float] | None = None,
        *,
        amenities: Sequence[str] = (),
        station_type: str | None = None,
        include_closed: bool = False,
    ) -> list[int]:
        """Positions (into `stations`) of stations inside a WGS-84 bbox matching the filters, in
        registry order."""
        ix, ov = self.index, self._overlay
        sts = ov.rows
        lon = np.concatenate([ix.lon, np.fromiter((s.lon for s in sts), np.float64, len(sts))])
        lat = np.concatenate([ix.lat, np.fromiter((s.lat for s in sts), np.float64, len(sts))])
        keep = np.ones(lon.size, dtype=np.bool_)
        if bbox_wgs84 is not None:
            x0, y0, x1, y1 = bbox_wgs84
            keep &= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        wanted = params.amenities(amenities)
        if wanted:
            m = np.uint64(amenity_mask(wanted))
            am = np.concatenate([ix.amenities, np.fromiter((amenity_mask(s.amenities) for s in sts), np.uint64)])
            keep &= (am & m) == m
        type_s = params.station_type(station_type)
        if type_s:
            code = vocab.TYPE_CODE[type_s]
            keep &= np.concatenate([ix.type_code == code, np.fromiter((s.type == type_s for s in sts), np.bool_)])
        if not include_closed:
            closed = vocab.STATUS_IDS.index("closed")
            keep &= np.concatenate(
                [ix.status_code != closed, np.fromiter((s.status != "closed" for s in sts), np.bool_)]
            )
        slots = self._rows.slots()
        if slots is not None:
            keep = keep[slots]
        return [int(i) for i in np.flatnonzero(keep)]


COMPACT_AT: Final = 5_000  # overlay rows past which the base is rebuilt (in the background)


class _Compaction:
    """A fresh base built from the store in a background thread (see `Locator._compact`)."""

    def __init__(self, store: Store, calendar: HolidayCalendar) -> None:
        self.result: Locator | None = None
        self.failed = False
        self._store, self._calendar = store, calendar
        threading.Thread(target=self._run, name="locator-compaction", daemon=True).start()

    def _run(self) -> None:
        try:
            self.result = Locator.from_store(self._store, self._calendar, behind=1)
        except Exception:  # a failed compaction leaves the overlay serving; a later apply retries
            log.exception("compacting the station index failed")
            self.failed = True

"""The locator: a loaded registry with its hours book and spatial index, queried by the faces.

It knows no web framework: the CLI and the HTTP API both call `nearest`, `station` and
`stations_in_bbox`, and turn the results into text or GeoJSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from locator import params, vocab
from locator.coords import point_to_wgs84
from locator.holidays import HolidayCalendar, load_holidays
from locator.hours import HoursBook, OpenState, beijing, look_ahead_warning
from locator.model import Station
from locator.nearest import Filters, StationIndex, amenity_mask, max_chord_for
from locator.registry import Registry, load_registry
from locator.store import Revision, Store
from locator.store.features import station_from_json


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
    """Immutable once built; a registry reload builds a new Locator and swaps it in."""

    def __init__(self, registry: Registry, calendar: HolidayCalendar | None = None) -> None:
        self.registry = registry
        self.calendar = calendar if calendar is not None else load_holidays()
        exprs = sorted({s.opening_hours for s in registry.stations if s.opening_hours is not None})
        self.book = HoursBook(exprs, self.calendar)
        self.index = StationIndex.from_stations(registry.stations, self.book)
        self._expr_ids = {e: i for i, e in enumerate(exprs)}

    @classmethod
    def load(cls, path: Path | None = None, calendar: HolidayCalendar | None = None) -> Locator:
        return cls(load_registry(path), calendar)

    @classmethod
    def from_store(cls, store: Store, calendar: HolidayCalendar | None = None) -> Locator:
        """The store's current stations; `registry.version` is the change sequence they reflect.
        The head is read before the stations, so a change committed in between is applied again
        by the next `apply` (applying a revision twice gives the same result)."""
        head = store.head()
        return cls(Registry(list(store.stations()), version=str(head)), calendar)

    @property
    def seq(self) -> int:
        """The change sequence this Locator reflects (store-backed registries; 0 otherwise)."""
        return int(self.registry.version) if self.registry.version.isdigit() else 0

    def apply(self, revisions: Iterable[Revision]) -> Locator:
        """A new Locator with these revisions applied (this one is left untouched, so requests
        in flight keep a consistent view). Revisions at or below `seq` are skipped."""
        by_id = dict(self.registry.by_id)
        head = self.seq
        for r in revisions:
            if r.seq <= self.seq:
                continue
            if r.after is None:
                by_id.pop(r.station_id, None)
            else:
                by_id[r.station_id] = station_from_json(r.after)
            head = max(head, r.seq)
        if head == self.seq:
            return self
        return Locator(Registry(list(by_id.values()), version=str(head)), self.calendar)

    @property
    def stations(self) -> list[Station]:
        return self.registry.stations

    def open_state(self, station: Station, at: dt.datetime) -> OpenState:
        when = beijing(at)
        return self._state_at(station, when.timestamp(), self.calendar.missing_year_warning(when.date()))

    def _state_at(self, station: Station, t: float, warning: str | None) -> OpenState:
        if station.status != "open":
            return OpenState(False, None, warning)
        eid = self._expr_ids.get(station.opening_hours, -1) if station.opening_hours else -1
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
        pos, dist = self.index.query(w_lon, w_lat, k_i, filters)
        warning = self.calendar.missing_year_warning(when.date())
        t = when.timestamp()
        stations = self.registry.stations
        hits = [Hit(stations[p], self._state_at(stations[p], t, warning), d) for p, d in zip(pos, dist, strict=True)]
        warnings = [warning] if warning else []
        for hit in hits:  # a look-ahead into a year without holiday data (a few rows at most reach it)
            ahead = look_ahead_warning(self.calendar, t, hit.state) if hit.station.status == "open" else None
            if ahead and ahead not in warnings:
                warnings.append(ahead)
        return NearestResult(hits, when, warnings)

    def station(self, station_id: str, at: str | dt.datetime | None = None) -> Hit:
        when = params.moment(at)
        st = self.registry.get(station_id)
        return Hit(st, self.open_state(st, when))

    def select(
        self,
        bbox_wgs84: tuple[float, float, float, float] | None = None,
        *,
        amenities: Sequence[str] = (),
        station_type: str | None = None,
        include_closed: bool = False,
    ) -> list[int]:
        """Positions of stations inside a WGS-84 bbox matching the filters, in registry order."""
        ix = self.index
        keep = np.ones(len(self.registry.stations), dtype=np.bool_)
        if bbox_wgs84 is not None:
            x0, y0, x1, y1 = bbox_wgs84
            keep &= (ix.lon >= x0) & (ix.lon <= x1) & (ix.lat >= y0) & (ix.lat <= y1)
        wanted = params.amenities(amenities)
        if wanted:
            m = np.uint64(amenity_mask(wanted))
            keep &= (ix.amenities & m) == m
        type_s = params.station_type(station_type)
        if type_s:
            keep &= ix.type_code == vocab.TYPE_CODE[type_s]
        if not include_closed:
            keep &= ix.status_code != vocab.STATUS_IDS.index("closed")
        return [int(i) for i in np.nonzero(keep)[0]]

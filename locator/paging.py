"""Pages of the stations matching a listing filter, at the same cost at any offset.

The stations a filter matches are worked out once per Locator as a sorted array of *order keys*
(registry order: a base position, or a key past them for an added station; locator/overlay.py)
and kept in a small LRU beside the Locator. A page is then a slice of that array, and a keyset
cursor (the last station's key) a binary search in it. When `Locator.apply` makes the next
Locator, `Pages.carry_into` moves only the changed stations' keys, so the first page after an
edit does not redo the whole filter either.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from locator import vocab
from locator.model import Station
from locator.nearest import LIVE_BIT, STATUS_CODE, Filters, StationIndex, amenity_mask
from locator.overlay import Overlay

Box = tuple[float, float, float, float]
_CLOSED: Final = STATUS_CODE["closed"]
_ENTRIES: Final = 8  # filters kept per Locator: the unfiltered listing plus a few hot ones


@dataclass(frozen=True, slots=True)
class Filter:
    """A listing filter: a WGS-84 box (x0 > x1 crosses the antimeridian), all of `amenities`
    (as a bit mask), a type code (-1: any). Closed stations never match."""

    box: Box | None = None
    amenities: int = 0
    type_code: int = -1

    @classmethod
    def of(cls, box: Box | None, amenities: Sequence[str], station_type: str | None) -> Filter:
        code = vocab.TYPE_CODE[station_type] if station_type else -1
        return cls(box, amenity_mask(tuple(amenities)), code)

    def _in_box(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        assert self.box is not None
        x0, y0, x1, y1 = self.box
        across = (lon >= x0) | (lon <= x1) if x0 > x1 else (lon >= x0) & (lon <= x1)
        return across & (lat >= y0) & (lat <= y1)

    def base_mask(self, ix: StationIndex, alive: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
        keep: NDArray[np.bool_] = ix.status_code != _CLOSED
        if alive is not None:
            keep &= alive
        if self.type_code >= 0:
            keep &= ix.type_code == self.type_code
        if self.amenities:
            m = np.uint64(self.amenities)
            keep &= (ix.amenities & m) == m
        if self.box is not None:
            keep &= self._in_box(ix.lon, ix.lat)
        return keep

    def matches(self, st: Station) -> bool:
        if st.status == "closed" or (self.type_code >= 0 and vocab.TYPE_CODE[st.type] != self.type_code):
            return False
        if self.amenities and amenity_mask(st.amenities) & self.amenities != self.amenities:
            return False
        if self.box is None:
            return True
        inside = self._in_box(np.asarray([st.lon]), np.asarray([st.lat]))
        return bool(inside[0])


class Pages:
    """The matched keys per filter of one Locator (an LRU), and the key → station mapping."""

    def __init__(self, index: StationIndex, alive: NDArray[np.bool_] | None, overlay: Overlay, mark: str) -> None:
        self.index, self.alive, self.overlay = index, alive, overlay
        self.mark = mark  # names the base: keys of one mark mean the same stations everywhere
        self._cache: OrderedDict[Filter, NDArray[np.int64]] = OrderedDict()
        self._lock = threading.Lock()
        self._rows: dict[int, int] | None = None  # live overlay row by key
        self._ov_lonlat: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def keys(self, f: Filter) -> NDArray[np.int64]:
        """The order keys of the stations `f` matches, ascending (registry order)."""
        with self._lock:
            found = self._cache.get(f)
            if found is not None:
                self._cache.move_to_end(f)
                return found
        keys = self._compute(f)
        self._remember(f, keys)
        return keys

    def _remember(self, f: Filter, keys: NDArray[np.int64]) -> None:
        keys.flags.writeable = False  # shared by requests and carried to the next Locator
        with self._lock:
            self._cache[f] = keys
            self._cache.move_to_end(f)
            while len(self._cache) > _ENTRIES:
                self._cache.popitem(last=False)

    def _compute(self, f: Filter) -> NDArray[np.int64]:
        base = np.flatnonzero(f.base_mask(self.index, self.alive)).astype(np.int64)
        ov = self.overlay
        if not len(ov):
            return base
        need = np.uint64(Filters(f.amenities, f.type_code).need | LIVE_BIT)
        keep = (ov.word & need) == need  # closed rows have a zero word; replaced rows lost LIVE_BIT
        if f.box is not None:
            keep &= f._in_box(*self._overlay_lonlat())
        added = np.sort(ov.key[keep])
        return np.insert(base, np.searchsorted(base, added), added)

    def _overlay_lonlat(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if self._ov_lonlat is None:
            rows = self.overlay.rows
            self._ov_lonlat = (
                np.fromiter((s.lon for s in rows), np.float64, len(rows)),
                np.fromiter((s.lat for s in rows), np.float64, len(rows)),
            )
        return self._ov_lonlat

    def slot(self, key: int) -> int:
        """The Locator slot (base position, or overlay row past the base) of a matched key."""
        if self._rows is None:
            live = np.flatnonzero(self.overlay.live)
            self._rows = dict(zip(self.overlay.key[live].tolist(), live.tolist(), strict=True))
        row = self._rows.get(key)
        return key if row is None else int(self.index.lon.size) + row

    def carry_into(self, nxt: Pages, removed: Iterable[int], added: Sequence[tuple[int, Station]]) -> None:
        """Give the next Locator's Pages this one's cached filters, with the keys of changed
        stations taken out (`removed`: their keys here) and put back where their new version
        (`added`: key and station) still matches: the cost of the change, not of the registry."""
        with self._lock:
            entries = list(self._cache.items())
        if not entries:
            return
        gone = np.unique(np.fromiter(removed, np.int64))
        for f, keys in entries:
            at = np.searchsorted(keys, gone)
            inside = at < keys.size
            at = at[inside][keys[at[inside]] == gone[inside]]
            kept = np.delete(keys, at) if at.size else keys.copy()
            new = np.unique(np.fromiter((k for k, st in added if f.matches(st)), np.int64))
            nxt._remember(f, np.insert(kept, np.searchsorted(kept, new), new) if new.size else kept)


@dataclass(frozen=True, slots=True)
class Matched:
    """The stations of one filter in one Locator: `count`, and pages from a start or a cursor."""

    keys: NDArray[np.int64]
    pages: Pages
    at: Callable[[int], Station]

    @property
    def count(self) -> int:
        return int(self.keys.size)

    def start_after(self, key: int) -> int:
        """Where a page continuing after the station with order `key` starts (that station may
        since have been deleted, or no longer match: the place is the same)."""
        return int(np.searchsorted(self.keys, key, side="right"))

    def page(self, start: int, limit: int) -> list[tuple[int, Station]]:
        """(order key, station) of the matched stations `start`…`start + limit - 1`."""
        keys = self.keys[start : start + limit].tolist()
        return [(k, self.at(self.pages.slot(k))) for k in keys]

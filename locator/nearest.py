"""k-nearest stations by great-circle distance, with filters.

A scipy cKDTree over 3-D unit vectors (chosen by measurement: bench/bench_nearest.py and
anchors.md — ~30 µs at 10⁶ stations, where a haversine BallTree takes ~260 µs and a planar
STRtree gets ~1 % of orders wrong). Chord order equals great-circle order, so answers are exact.

Filters (amenities, type, open at a moment) are applied to an over-fetched candidate list that
grows ×4 until k survivors are found; past a few thousand candidates the filter is applied to
every station at once (vectorised) instead, which bounds the worst case of rare filters.
Stations whose status is `closed` are not in the tree at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from locator import vocab
from locator.geo import EARTH_RADIUS_M, chord_to_metres, metres_to_chord, unit_vector, unit_vectors
from locator.hours import OPEN, HoursBook
from locator.model import Station

STATUS_CODE: Final = {s: i for i, s in enumerate(vocab.STATUS_IDS)}
_CLOSED: Final = STATUS_CODE["closed"]
_TEMP_CLOSED: Final = STATUS_CODE["temporarily_closed"]
_FIRST_FETCH: Final = 32
_BRUTE_FORCE_AT: Final = 4096


def amenity_mask(amenities: tuple[str, ...] | list[str]) -> int:
    mask = 0
    for a in amenities:
        mask |= 1 << vocab.AMENITY_BIT[a]
    return mask


@dataclass(frozen=True, slots=True)
class Filters:
    amenity_mask: int = 0
    type_code: int = -1
    open_at: float | None = None  # Unix timestamp; None = no open filter
    max_chord: float = math.inf

    @property
    def any(self) -> bool:
        return self.amenity_mask != 0 or self.type_code >= 0 or self.open_at is not None


class StationIndex:
    """Arrays of the registry's stations plus a cKDTree over the ones not closed for good."""

    def __init__(
        self,
        lon: NDArray[np.float64],
        lat: NDArray[np.float64],
        amenities: NDArray[np.uint64],
        type_code: NDArray[np.int8],
        status_code: NDArray[np.int8],
        expr_id: NDArray[np.int32],
        book: HoursBook,
    ) -> None:
        self.lon, self.lat = lon, lat
        self.amenities, self.type_code, self.status_code, self.expr_id = amenities, type_code, status_code, expr_id
        self.book = book
        self.active = np.nonzero(status_code != _CLOSED)[0].astype(np.int64)
        pts = unit_vectors(lon[self.active], lat[self.active])
        # unbalanced, non-compact trees build ~3x faster here and query as fast (bench)
        self.tree = cKDTree(pts, leafsize=16, balanced_tree=False, compact_nodes=False)
        # per-active-station copies, so filtering needs no second gather
        self._amen = amenities[self.active]
        self._type = type_code[self.active]
        self._temp = status_code[self.active] == _TEMP_CLOSED
        self._expr = expr_id[self.active]

    @classmethod
    def from_stations(cls, stations: list[Station], book: HoursBook) -> StationIndex:
        expr_ids = {e: i for i, e in enumerate(book.exprs)}
        n = len(stations)
        return cls(
            np.fromiter((s.lon for s in stations), np.float64, n),
            np.fromiter((s.lat for s in stations), np.float64, n),
            np.fromiter((amenity_mask(s.amenities) for s in stations), np.uint64, n),
            np.fromiter((vocab.TYPE_CODE[s.type] for s in stations), np.int8, n),
            np.fromiter((STATUS_CODE[s.status] for s in stations), np.int8, n),
            np.fromiter(
                (expr_ids[s.opening_hours] if s.opening_hours is not None else -1 for s in stations), np.int32, n
            ),
            book,
        )

    def __len__(self) -> int:
        return int(self.active.size)

    def _keep(self, cand: NDArray[np.int64], f: Filters) -> NDArray[np.bool_]:
        keep = np.ones(cand.shape, dtype=np.bool_)
        if f.amenity_mask:
            m = np.uint64(f.amenity_mask)
            keep &= (self._amen[cand] & m) == m
        if f.type_code >= 0:
            keep &= self._type[cand] == f.type_code
        if f.open_at is not None:
            keep &= ~self._temp[cand]
            if keep.any():
                sub = cand[keep]
                is_open = self.book.states(self._expr[sub], f.open_at) == OPEN
                keep[np.nonzero(keep)[0][~is_open]] = False
        return keep

    def query(
        self, lon: float, lat: float, k: int, filters: Filters | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Station positions (into the registry's list) and distances in metres, nearest first."""
        f = filters or Filters()
        n = len(self)
        if n == 0 or k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        q = unit_vector(lon, lat)
        fetch = min(k if not f.any else max(4 * k, _FIRST_FETCH), n)
        while True:
            if fetch > _BRUTE_FORCE_AT and f.any:
                return self._brute_force(q, k, f)
            d, i = self.tree.query(q, k=fetch, distance_upper_bound=f.max_chord)
            d = np.atleast_1d(d)
            i = np.atleast_1d(i)
            found = i < n
            exhausted = not found.all() or fetch >= n
            i, d = i[found], d[found]
            if f.any:
                keep = self._keep(i, f)
                i, d = i[keep], d[keep]
            if i.size >= k or exhausted:
                order = np.lexsort((i, d))[:k]  # equal distances: registry order, so answers are stable
                return self.active[i[order]], chord_to_metres(d[order])
            fetch = min(fetch * 4, n)

    def _brute_force(
        self, q: tuple[float, float, float], k: int, f: Filters
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        cand = np.nonzero(self._keep(np.arange(len(self), dtype=np.int64), f))[0]
        if cand.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        chord = np.linalg.norm(self.tree.data[cand] - np.asarray(q), axis=1)
        within = chord <= f.max_chord
        cand, chord = cand[within], chord[within]
        if cand.size > k:
            part = np.argpartition(chord, k - 1)[:k]
            cand, chord = cand[part], chord[part]
        order = np.lexsort((cand, chord))
        return self.active[cand[order]], chord_to_metres(chord[order])


def max_chord_for(metres: float | None) -> float:
    if metres is None:
        return math.inf
    # a hair of slack so a station exactly at the limit is kept despite rounding
    return metres_to_chord(metres * (1 + 1e-12) + 1e-6) if metres < math.pi * EARTH_RADIUS_M else math.inf

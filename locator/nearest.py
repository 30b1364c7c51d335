"""k-nearest stations by great-circle distance, with filters.

A scipy cKDTree over 3-D unit vectors (chosen by measurement: bench/bench_nearest.py and
anchors.md — ~20–30 µs at 10⁶ stations, where a haversine BallTree takes ~260 µs and a planar
STRtree gets ~1 % of orders wrong). Chord order equals great-circle order, so answers are exact.

Filters run on an over-fetched candidate list. The first fetch is sized from the filter's
estimated selectivity (amenity, type and open-now frequencies); if too few candidates survive,
the fetch grows ×4. Past a few thousand candidates the filter is applied to every station at
once (vectorised), which bounds the cost of rare filters. Stations whose status is `closed`
are not in the tree at all.

Each station's amenities, type and "not temporarily closed" are packed into one uint64 word,
so all non-time filters are a single `(word & need) == need`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from locator import vocab
from locator.geo import EARTH_RADIUS_M, metres_to_chord, unit_vector, unit_vectors
from locator.hours import OPEN, HoursBook
from locator.model import Station

STATUS_CODE: Final = {s: i for i, s in enumerate(vocab.STATUS_IDS)}
_CLOSED: Final = STATUS_CODE["closed"]
_TEMP_CLOSED: Final = STATUS_CODE["temporarily_closed"]
_TYPE_SHIFT: Final = 48  # amenity bits 0..47, type one-hot bits 48..55
_AVAILABLE_BIT: Final = 1 << 56  # set unless temporarily closed
LIVE_BIT: Final = 1 << 57  # cleared when a later change replaced or deleted the station (see `kill`)
_BRUTE_FORCE_AT: Final = 4096
_TWO_R: Final = 2.0 * EARTH_RADIUS_M


def amenity_mask(amenities: tuple[str, ...] | list[str]) -> int:
    mask = 0
    for a in amenities:
        mask |= 1 << vocab.AMENITY_BIT[a]
    return mask


def filter_word(station: Station) -> int:
    """A station's filter word as the index packs it (0 for a closed station: never found)."""
    status = STATUS_CODE[station.status]
    if status == _CLOSED:
        return 0
    word = amenity_mask(station.amenities) | (1 << (_TYPE_SHIFT + vocab.TYPE_CODE[station.type])) | LIVE_BIT
    return word | (0 if status == _TEMP_CLOSED else _AVAILABLE_BIT)


def chord_to_metres(chord: float) -> float:
    return _TWO_R * math.asin(min(chord, 2.0) / 2.0)


@dataclass(frozen=True, slots=True)
class Filters:
    amenity_mask: int = 0
    type_code: int = -1
    open_at: float | None = None  # Unix timestamp; None = no open filter
    max_chord: float = math.inf

    @property
    def need(self) -> int:
        """Bits a station's word must have."""
        need = self.amenity_mask
        if self.type_code >= 0:
            need |= 1 << (_TYPE_SHIFT + self.type_code)
        if self.open_at is not None:
            need |= _AVAILABLE_BIT
        return need


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
        tree: cKDTree | None = None,
    ) -> None:
        """`tree`: one saved with the snapshot these columns come from (locator/tree_snapshot.py),
        used when it holds as many points as there are stations not closed for good."""
        self.lon, self.lat = lon, lat
        self.amenities, self.type_code, self.status_code, self.expr_id = amenities, type_code, status_code, expr_id
        self.book = book
        live = status_code != _CLOSED
        self.active = np.nonzero(live)[0].astype(np.int64)
        self._identity = bool(live.all())
        # unbalanced, non-compact trees build ~2.5x faster here and query as fast (bench)
        if tree is not None and tree.n == self.active.size and tree.m == 3:
            self.tree = tree
        else:
            self.tree = cKDTree(
                unit_vectors(lon[self.active], lat[self.active]), balanced_tree=False, compact_nodes=False
            )
        word = amenities[self.active].astype(np.uint64)
        word |= np.left_shift(np.uint64(1), (type_code[self.active].astype(np.uint64) + np.uint64(_TYPE_SHIFT)))
        word |= np.where(status_code[self.active] == _TEMP_CLOSED, np.uint64(0), np.uint64(_AVAILABLE_BIT))
        word |= np.uint64(LIVE_BIT)
        self._word = word
        self.dead = 0  # stations of the tree killed since it was built
        self._expr = expr_id[self.active]
        self._stats(word)

    def _stats(self, word: NDArray[np.uint64]) -> None:
        """Bit frequencies and per-expression counts, to size the first fetch of a filtered query."""
        n = max(int(word.size), 1)
        bits = np.unpackbits(word.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little").sum(axis=0)
        self._bit_freq = (bits / n).tolist()
        # counts per expression id; the last slot (index -1) counts stations with unknown hours
        counts = np.bincount(np.where(self._expr < 0, len(self.book), self._expr), minlength=len(self.book) + 1)
        self._expr_counts = counts.astype(np.float64)
        self._open_gen = -1
        self._open_frac = 1.0

    def kill(self, positions: NDArray[np.int64]) -> StationIndex:
        """A copy whose searches skip the stations at these registry positions (replaced or
        deleted by later changes); the tree and the columns are shared, only the filter words are
        copied, so this one is left as it was."""
        pos = np.asarray(positions, dtype=np.int64)
        slot = np.searchsorted(self.active, pos)
        inside = slot < self.active.size
        slot, pos = slot[inside], pos[inside]
        hit = slot[self.active[slot] == pos]  # closed stations are not in the tree
        out = copy.copy(self)
        out._word = self._word.copy()
        newly = hit[(out._word[hit] & np.uint64(LIVE_BIT)) != 0]
        out._word[newly] &= ~np.uint64(LIVE_BIT)
        out.dead = self.dead + int(newly.size)
        return out

    @classmethod
    def from_stations(cls, stations: Sequence[Station], book: HoursBook) -> StationIndex:
        expr_ids = book.expr_id
        n = len(stations)
        return cls(
            np.fromiter((s.lon for s in stations), np.float64, n),
            np.fromiter((s.lat for s in stations), np.float64, n),
            np.fromiter((amenity_mask(s.amenities) for s in stations), np.uint64, n),
            np.fromiter((vocab.TYPE_CODE[s.type] for s in stations), np.int8, n),
            np.fromiter((STATUS_CODE[s.status] for s in stations), np.int8, n),
            np.fromiter((expr_ids(s.opening_hours) for s in stations), np.int32, n),
            book,
        )

    def __len__(self) -> int:
        return int(self.active.size)

    @property
    def live(self) -> int:
        return len(self) - self.dead

    def _selectivity(self, need: int, codes: NDArray[np.int8] | None) -> float:
        """Expected fraction of stations passing the filter (bits taken as independent)."""
        s = 1.0
        while need:
            low = need & -need
            s *= self._bit_freq[low.bit_length() - 1]
            need ^= low
        if codes is not None:
            if self._open_gen != self.book.generation:
                m = self._expr_counts.size - 1  # the book may have grown since: its first m ids are ours
                open_n = float(self._expr_counts[:m][codes[:m] == OPEN].sum())
                self._open_frac = open_n / max(len(self), 1)
                self._open_gen = self.book.generation
            s *= self._open_frac
        return s

    def _keep(self, cand: NDArray[np.intp], need: int, f: Filters, codes: NDArray[np.int8] | None) -> NDArray[np.bool_]:
        n = np.uint64(need)
        keep: NDArray[np.bool_] = (self._word[cand] & n) == n
        if f.open_at is not None:
            exprs = self._expr[cand]
            states = codes[exprs] if codes is not None else self.book.states(exprs, f.open_at)
            keep &= states == OPEN
        return keep

    def query(self, lon: float, lat: float, k: int, filters: Filters | None = None) -> tuple[list[int], list[float]]:
        """Station positions (into the registry's list) and distances in metres, nearest first;
        equal distances come in registry order."""
        n = len(self)
        if n == 0 or k <= 0:
            return [], []
        q = unit_vector(lon, lat)
        f = filters or Filters()
        need = f.need | (LIVE_BIT if self.dead else 0)
        bounded = f.max_chord < math.inf
        if not need and f.open_at is None:
            fetch = min(k, n)
            if bounded:
                d, i = self.tree.query(q, k=fetch, distance_upper_bound=f.max_chord)
            else:
                d, i = self.tree.query(q, k=fetch)
            return self._finish(np.atleast_1d(i), np.atleast_1d(d), k, bounded)
        codes = self.book.table(f.open_at) if f.open_at is not None else None
        sel = self._selectivity(need, codes)
        fetch = min(n, max(2 * k, int(1.5 * k / sel) + 8) if sel > 0 else n)
        while True:
            if fetch > _BRUTE_FORCE_AT:
                return self._brute_force(q, k, need, f, codes)
            if bounded:
                d, i = self.tree.query(q, k=fetch, distance_upper_bound=f.max_chord)
            else:
                d, i = self.tree.query(q, k=fetch)
            i, d = np.atleast_1d(i), np.atleast_1d(d)
            exhausted = fetch >= n or (bounded and bool(i[-1] >= n))
            if bounded:
                inside = i < n
                i, d = i[inside], d[inside]
            keep = np.flatnonzero(self._keep(i, need, f, codes))
            if keep.size >= k or exhausted:
                return self._finish(i[keep], d[keep], k, False)
            fetch = min(fetch * 4, n)

    def _finish(
        self, i: NDArray[np.intp], d: NDArray[np.float64], k: int, bounded: bool
    ) -> tuple[list[int], list[float]]:
        il: list[int] = (i if self._identity else self.active[np.minimum(i, len(self) - 1)]).tolist()
        dl: list[float] = d.tolist()
        if bounded:
            keep = [j for j, x in enumerate(i.tolist()) if x < len(self)]
            il, dl = [il[j] for j in keep], [dl[j] for j in keep]
        if len(dl) > 1 and any(dl[j] == dl[j + 1] for j in range(len(dl) - 1)):
            pairs = sorted(zip(dl, il, strict=True))
            dl, il = [p[0] for p in pairs], [p[1] for p in pairs]
        metres = [chord_to_metres(c) for c in dl[:k]]
        return il[:k], metres

    def _brute_force(
        self, q: tuple[float, float, float], k: int, need: int, f: Filters, codes: NDArray[np.int8] | None
    ) -> tuple[list[int], list[float]]:
        cand = np.flatnonzero(self._keep(np.arange(len(self)), need, f, codes))
        if cand.size == 0:
            return [], []
        chord = np.linalg.norm(self.tree.data[cand] - np.asarray(q), axis=1)
        within = chord <= f.max_chord
        cand, chord = cand[within], chord[within]
        if cand.size > k:
            part = np.argpartition(chord, k - 1)[:k]
            cand, chord = cand[part], chord[part]
        order = np.lexsort((cand, chord))
        return self._finish(cand[order], chord[order], k, False)


def max_chord_for(metres: float | None) -> float:
    if metres is None:
        return math.inf
    # a hair of slack so a station exactly at the limit is kept despite rounding
    return metres_to_chord(metres * (1 + 1e-12) + 1e-6) if metres < math.pi * EARTH_RADIUS_M else math.inf

"""Stations changed since a Locator's base was built, searched by brute force.

Applying a change never rebuilds the base's tree: the station's old version is marked dead in
the base (`StationIndex.kill`) or in here, and its new version is appended here. Every row keeps
the station's *order key*: its base position while it keeps its place in the registry (an edit),
or a new key past every other when it is added or re-created (the store appends those, as its
rowids do). Answers are merged with the tree's by (distance, key), which is exactly the order a
Locator built from scratch gives. An Overlay is never changed: `with_changes` returns a new one
sharing nothing mutable with the old, so a request holding the old Locator is not disturbed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from locator.geo import unit_vectors
from locator.hours import OPEN, HoursBook
from locator.model import Station
from locator.nearest import LIVE_BIT, Filters, filter_word

GONE = -1  # `where` value of a base station deleted since the base was built


@dataclass(frozen=True)
class Overlay:
    next_key: int  # the key the next added station gets
    rows: tuple[Station, ...] = ()
    key: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    xyz: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 3)))
    word: NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, np.uint64))
    expr: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    live: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))  # row is current
    where: Mapping[str, int] = field(default_factory=dict)  # id → its current row, or GONE

    def __len__(self) -> int:
        return len(self.rows)

    def with_changes(self, staged: dict[str, tuple[Station | None, int]], book: HoursBook) -> Overlay:
        """Rows for the staged stations (id → (new version or None, order key)); their previous
        rows here stop being current."""
        where = dict(self.where)
        live = self.live.copy()
        word = self.word.copy()
        old = [where[i] for i in staged if where.get(i, GONE) >= 0]
        live[old] = False
        word[old] &= ~np.uint64(LIVE_BIT)
        added = [(sid, st, k) for sid, (st, k) in staged.items() if st is not None]
        base = len(self.rows)
        for sid, (st, _) in staged.items():
            if st is None:
                where[sid] = GONE
        for j, (sid, _, _) in enumerate(added):
            where[sid] = base + j
        sts = [st for _, st, _ in added if st is not None]
        lon = np.fromiter((s.lon for s in sts), np.float64, len(sts))
        lat = np.fromiter((s.lat for s in sts), np.float64, len(sts))
        return Overlay(
            next_key=self.next_key,
            rows=self.rows + tuple(sts),
            key=np.concatenate([self.key, np.fromiter((k for _, _, k in added), np.int64, len(added))]),
            xyz=np.concatenate([self.xyz, unit_vectors(lon, lat).reshape(-1, 3)]),
            word=np.concatenate([word, np.fromiter((filter_word(s) for s in sts), np.uint64, len(sts))]),
            expr=np.concatenate([self.expr, np.fromiter((book.expr_id(s.opening_hours) for s in sts), np.int32)]),
            live=np.concatenate([live, np.ones(len(sts), np.bool_)]),
            where=where,
        )

    def query(
        self, q: tuple[float, float, float], k: int, f: Filters, book: HoursBook
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows (nearest first, ties by key) and their chords, at most k, matching the filters."""
        if not self.rows:
            return np.zeros(0, np.int64), np.zeros(0)
        need = np.uint64(f.need | LIVE_BIT)
        keep = (self.word & need) == need
        if f.open_at is not None:
            keep &= book.states(self.expr, f.open_at) == OPEN
        rows = np.flatnonzero(keep)
        chord = np.linalg.norm(self.xyz[rows] - np.asarray(q), axis=1)
        inside = chord <= f.max_chord
        rows, chord = rows[inside], chord[inside]
        order = np.lexsort((self.key[rows], chord))[:k]
        return rows[order], chord[order]

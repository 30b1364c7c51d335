"""Where a Locator's stations are: its base (`Source`) and the overlay of stations changed since.

A slot is a base position, or `len(base) + row` for an overlay row. `Rows` answers the views of a
Locator's registry (`StationsView`, `ByIdView`). It is kept apart from the Locator on purpose: the
views hold its bound methods, and if they held the Locator's, every Locator would sit in a
reference cycle (Locator → registry → view → method → Locator) and the megabytes of arrays of each
one replaced by a change would wait for a full cyclic collection (hundreds of MB at 10⁶ stations
over a few hundred edits). Without the cycle it is freed as soon as the last request holding it
ends.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray

from locator.model import Station
from locator.overlay import GONE, Overlay
from locator.view import Source


class Rows:
    """Immutable once made (the slot order is worked out once, when first needed)."""

    def __init__(self, source: Source, alive: NDArray[np.bool_] | None, overlay: Overlay) -> None:
        self.source, self.alive, self.overlay = source, alive, overlay
        self._order: NDArray[np.int64] | None = None
        self._order_ready = alive is None and not len(overlay)
        self._order_lock = threading.Lock()

    def __len__(self) -> int:
        """The stations in the registry (live base positions and current overlay rows)."""
        base = len(self.source) if self.alive is None else int(np.count_nonzero(self.alive))
        return base + int(np.count_nonzero(self.overlay.live))

    def at(self, slot: int) -> Station:
        nb = len(self.source)
        return self.source.at(slot) if slot < nb else self.overlay.rows[slot - nb]

    def find(self, station_id: str) -> Station | None:
        row = self.overlay.where.get(station_id)
        if row is not None:
            return self.overlay.rows[row] if row != GONE else None
        pos = self.source.find(station_id)
        return self.source.at(pos) if pos is not None else None

    def key_of(self, station_id: str) -> int | None:
        """The station's order key (its registry place), None when it is not in the registry."""
        row = self.overlay.where.get(station_id)
        if row is not None:
            return int(self.overlay.key[row]) if row != GONE else None
        return self.source.find(station_id)

    def slots(self) -> NDArray[np.int64] | None:
        """Slots (base positions, then overlay rows past them) in registry order; None when the
        base alone is served unchanged."""
        if self._order_ready:
            return self._order
        with self._order_lock:
            if not self._order_ready:
                nb = len(self.source)
                base = np.flatnonzero(self.alive) if self.alive is not None else np.arange(nb)
                rows = np.flatnonzero(self.overlay.live)
                keys = self.overlay.key[rows]
                by_key = np.argsort(keys, kind="stable")
                rows, keys = rows[by_key], keys[by_key]
                self._order = np.insert(base.astype(np.int64), np.searchsorted(base, keys), nb + rows)
                self._order_ready = True
        return self._order

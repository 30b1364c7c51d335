"""The Locator's current stations as columns for coverage: position, filter word, hours.

Read from the Locator's index (base stations not closed for good) and its overlay (stations
changed since the base was built), skipping versions replaced or deleted since, so the answer
is the registry the Locator serves. Filters use the index's packed words (locator.nearest):
`matching` = amenities and type as asked; `open_at` = matching, not temporarily closed, and
open at that moment by the station's hours and the holiday table (unknown hours = not open),
which is what `locator nearest --open-now` counts as open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from locator import params, vocab
from locator.hours import OPEN, HoursBook
from locator.nearest import LIVE_BIT, Filters, amenity_mask
from locator.service import Locator


@dataclass(frozen=True)
class Columns:
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    word: NDArray[np.uint64]
    expr: NDArray[np.int32]
    book: HoursBook

    def __len__(self) -> int:
        return int(self.lon.size)

    def matching(self, amenities: Sequence[str] = (), station_type: str | None = None) -> NDArray[np.bool_]:
        """Stations with all these amenities and of this type (closed-for-good ones are not here).
        Raises InvalidParameter (naming `amenity` or `type`) for an unknown one."""
        wanted = params.amenities(amenities)
        type_s = params.station_type(station_type)
        f = Filters(amenity_mask=amenity_mask(wanted), type_code=vocab.TYPE_CODE[type_s] if type_s else -1)
        need = np.uint64(f.need)
        out: NDArray[np.bool_] = (self.word & need) == need
        return out

    def open_at(self, t: float) -> NDArray[np.bool_]:
        """Stations open at Unix time t (not temporarily closed, hours say open)."""
        avail = np.uint64(Filters(open_at=t).need)
        out: NDArray[np.bool_] = ((self.word & avail) == avail) & (self.book.states(self.expr, t) == OPEN)
        return out


def columns(loc: Locator) -> Columns:
    ix = loc.index
    ov = loc._overlay  # the stations changed since the base was built
    base_live = (ix._word & np.uint64(LIVE_BIT)) != 0
    pos = ix.active[base_live]
    rows = np.flatnonzero(ov.live & ((ov.word & np.uint64(LIVE_BIT)) != 0))
    sts = [ov.rows[i] for i in rows]
    return Columns(
        lon=np.concatenate([ix.lon[pos], np.fromiter((s.lon for s in sts), np.float64, len(sts))]),
        lat=np.concatenate([ix.lat[pos], np.fromiter((s.lat for s in sts), np.float64, len(sts))]),
        word=np.concatenate([ix._word[base_live], ov.word[rows]]),
        expr=np.concatenate([ix._expr[base_live], ov.expr[rows]]).astype(np.int32),
        book=loc.book,
    )

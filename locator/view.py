"""The stations a Locator serves, as read-only views over its base and overlay (no copy).

Positions in `StationsView` are registry order (a store's rowid order: an edited station keeps
its place, an added or re-created one comes last). Iterating the whole view builds every
station (from the store, for a store-backed base): the maps build, export and validation do that
once per run, not per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, overload

import numpy as np
from numpy.typing import NDArray

from locator.errors import Problem, StationNotFound
from locator.model import Station


class Source(Protocol):
    """The base's stations by position (built on demand) and the position of an id."""

    def __len__(self) -> int: ...

    def at(self, pos: int) -> Station: ...

    def find(self, station_id: str) -> int | None: ...


class ListSource:
    """A base of Station objects already in memory (a GeoJSON registry)."""

    def __init__(self, stations: Sequence[Station]) -> None:
        self.stations = stations
        self._pos: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.stations)

    def at(self, pos: int) -> Station:
        return self.stations[pos]

    def find(self, station_id: str) -> int | None:
        if self._pos is None:
            self._pos = {s.id: i for i, s in enumerate(self.stations)}
        return self._pos.get(station_id)


class StationsView(Sequence[Station]):
    """`slots[i]` is the i-th station's slot (None: slot i, the base alone); `at(slot)` builds it."""

    def __init__(self, n: int, slots: Callable[[], NDArray[np.int64] | None], at: Callable[[int], Station]) -> None:
        self._n, self._slots, self._at = n, slots, at

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Station: ...

    @overload
    def __getitem__(self, i: slice) -> list[Station]: ...

    def __getitem__(self, i: int | slice) -> Station | list[Station]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        slots = self._slots()
        return self._at(i if slots is None else int(slots[i]))

    def __iter__(self) -> Iterator[Station]:
        slots = self._slots()
        for i in range(self._n):
            yield self._at(i if slots is None else int(slots[i]))


class ByIdView(Mapping[str, Station]):
    def __init__(self, get: Callable[[str], Station | None], stations: StationsView) -> None:
        self._get, self._stations = get, stations

    def __getitem__(self, station_id: str) -> Station:
        st = self._get(station_id)
        if st is None:
            raise KeyError(station_id)
        return st

    def __contains__(self, station_id: object) -> bool:
        return isinstance(station_id, str) and self._get(station_id) is not None

    def __len__(self) -> int:
        return len(self._stations)

    def __iter__(self) -> Iterator[str]:
        return (s.id for s in self._stations)


@dataclass
class LiveRegistry:
    """What `Registry` offers, over a Locator's views (store-backed or incrementally updated)."""

    stations: StationsView
    by_id: ByIdView
    version: str = ""
    path: Path | None = None
    warnings: list[Problem] = field(default_factory=list)
    digest: str = ""

    def get(self, station_id: str) -> Station:
        try:
            return self.by_id[station_id]
        except KeyError:
            raise StationNotFound(station_id) from None

"""Duplicate ids (errors) and near-duplicate stations (warnings), in O(n log n).

Near-duplicates are found with one k-d tree over the stations whose name is shared: each is a
3-D unit vector plus a 4th coordinate that puts every name far from every other name, so the
tree only ever pairs stations of the same name, and only those within the 50 m chord. The work
is proportional to n log n plus the number of warnings, never to the square of a name's size.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from locator.errors import Problem
from locator.geo import haversine_m, metres_to_chord, unit_vectors
from locator.model import Station

NEAR_DUPLICATE_M: Final = 50.0
# a hair wider than 50 m so that rounding never loses a pair; haversine decides exactly
_SEARCH_CHORD: Final = metres_to_chord(NEAR_DUPLICATE_M) * (1 + 1e-6)
_NAME_SPACING: Final = 10.0  # > any chord (2) + search radius: different names are never paired


def duplicate_ids(entries: list[tuple[str, Any]]) -> list[Problem]:
    """Ids used twice, or differing only in case (errors), checked on every record, valid or not.

    Case matters because staff type the same station twice as `XC-01` and `xc-01`, and Excel
    lookups, Windows file names and many databases do not tell them apart."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    folded: dict[str, tuple[str, str]] = {}
    for place, sid in entries:
        if not isinstance(sid, str) or not sid.strip():
            continue
        key = sid.strip()
        if key in first:
            problems.append(Problem(place, "id", f"duplicate id {key!r} (first used at {first[key]})"))
            continue
        first[key] = place
        other = folded.setdefault(key.casefold(), (key, place))
        if other[0] != key:
            problems.append(
                Problem(
                    place,
                    "id",
                    f"id {key!r} differs only in case from {other[0]!r} (used at {other[1]}): "
                    "ids must differ in more than case",
                )
            )
    return problems


def near_pairs(stations: list[Station]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """(i, j, metres) for every i < j with the same name within 50 m, ordered by the first
    appearance of the name, then i, then j."""
    n = len(stations)
    empty = np.empty(0, dtype=np.intp)
    first_of: dict[str, int] = {}
    group = np.fromiter((first_of.setdefault(st.name, i) for i, st in enumerate(stations)), dtype=np.intp, count=n)
    shared = np.flatnonzero(np.bincount(group, minlength=n)[group] > 1) if n else empty
    if len(shared) < 2:
        return empty, empty, np.empty(0)
    lon = np.fromiter((stations[i].lon for i in shared), dtype=np.float64, count=len(shared))
    lat = np.fromiter((stations[i].lat for i in shared), dtype=np.float64, count=len(shared))
    _, rank = np.unique(group[shared], return_inverse=True)
    points = np.column_stack([unit_vectors(lon, lat), rank * _NAME_SPACING])
    pairs = cKDTree(points).query_pairs(_SEARCH_CHORD, output_type="ndarray")
    if not len(pairs):
        return empty, empty, np.empty(0)
    pa, pb = pairs[:, 0], pairs[:, 1]  # pa < pb, and `shared` is ascending, so i < j below
    metres = haversine_m(lon[pa], lat[pa], lon[pb], lat[pb])
    keep = metres < NEAR_DUPLICATE_M
    i, j, metres = shared[pa[keep]], shared[pb[keep]], metres[keep]
    order = np.lexsort((j, i, group[i]))
    return i[order], j[order], metres[order]


def near_duplicates(stations: list[Station], places: list[str]) -> list[Problem]:
    """The same name within 50 m (a warning: two stations may share a building)."""
    i, j, metres = near_pairs(stations)
    return [
        Problem(
            places[b],
            "name",
            f"same name {stations[a].name!r} as {stations[a].id!r} {d:.0f} m away: a duplicate?",
            warning=True,
        )
        for a, b, d in zip(i.tolist(), j.tolist(), metres.tolist(), strict=True)
    ]

"""Covered area per district, exact: the union of the stations' circles clipped to each district.

All in the metric projection (locator.coverage.metric). A district only unions the circles of
stations within `radius_m` of it (an STRtree `dwithin` query), so a station across a border
covers its neighbour and nothing else is touched.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from locator.coverage import metric
from locator.coverage.districts import Districts

QUAD_SEGS = 16  # 64-gon circles, area-corrected (metric.discs)


def covered_parts(
    districts: Districts, x: NDArray[np.float64], y: NDArray[np.float64], radius_m: float
) -> NDArray[np.object_]:
    """For each district, the part of it within `radius_m` of any of the projected points."""
    geoms = districts.metric
    out: NDArray[np.object_] = np.array([shapely.Polygon() for _ in geoms], dtype=object)
    if x.size == 0:
        return out
    pts = shapely.points(x, y)
    tree = shapely.STRtree(geoms)
    pi, di = tree.query(pts, predicate="dwithin", distance=radius_m)
    near = np.unique(pi)
    disc = np.empty(x.size, dtype=object)
    disc[near] = metric.discs(x[near], y[near], radius_m, QUAD_SEGS)
    for d in range(len(geoms)):
        mine = pi[di == d]
        if mine.size:
            out[d] = shapely.intersection(geoms[d], shapely.union_all(disc[mine]))
    return out


def covered_shares(
    districts: Districts, x: NDArray[np.float64], y: NDArray[np.float64], radius_m: float
) -> NDArray[np.float64]:
    area = shapely.area(covered_parts(districts, x, y, radius_m))
    out: NDArray[np.float64] = np.clip(area / districts.areas_m2, 0.0, 1.0)
    return out

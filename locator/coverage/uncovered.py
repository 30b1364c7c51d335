"""The uncovered part of each district, as GeoJSON for the planners' page.

Built from the coverage grid (locator/coverage/grid.py, 50 m cells): the district's uncovered
cells are merged row by row into rectangles, unioned, simplified by max(simplify_m, 1.5 × cell size)
so the cells' staircase disappears, and moved back to WGS-84 (coordinates rounded to 1e-5°).
The drawn border of the uncovered area is therefore within about one cell plus the tolerance of
the true circles' border; the share in `properties` is the report's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from locator import params
from locator.coverage import metric
from locator.coverage.compute import check_radius, open_mask, prepare, report
from locator.coverage.districts import Districts
from locator.service import Locator


def uncovered(
    loc: Locator,
    districts: Districts,
    *,
    at: dt.datetime,
    radius_m: float = 1000.0,
    amenities: Sequence[str] = (),
    station_type: str | None = None,
    open_now: bool = False,
    simplify_m: float = 30.0,
) -> dict[str, Any]:
    """FeatureCollection (WGS-84) with one feature per district: its uncovered part (possibly
    empty) and the properties name, covered_share."""
    r = check_radius(radius_m)
    when = params.moment(at)
    p = prepare(loc, districts, amenities, station_type)
    is_open = open_mask(p, when)
    use = is_open if open_now else np.ones_like(is_open)
    g = p.grid
    covered = g.covered(p.x[use], p.y[use], r) if use.any() else np.zeros(g.nx * g.ny, dtype=np.bool_)
    rep = report(p, districts, when, r, is_open, open_now, g.shares_of(covered))
    free = g.cells[~covered[g.cells]]
    lab = g.label[~covered[g.cells]]
    # runs of consecutive cells of one district in one row → one rectangle each
    brk = np.ones(free.size, dtype=np.bool_)
    brk[1:] = (np.diff(free) != 1) | (np.diff(lab) != 0) | (free[1:] % g.nx == 0)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], free.size) - 1
    row, c0, c1 = free[starts] // g.nx, free[starts] % g.nx, free[ends] % g.nx
    h = g.cell_m
    boxes = shapely.box(g.x0 + (c0 - 0.5) * h, g.y0 + (row - 0.5) * h, g.x0 + (c1 + 0.5) * h, g.y0 + (row + 0.5) * h)
    owner = lab[starts]
    tol = max(simplify_m, 1.5 * h)
    feats = []
    for i, d in enumerate(districts):
        part = shapely.union_all(boxes[owner == i]) if (owner == i).any() else shapely.Polygon()
        part = shapely.intersection(shapely.simplify(part, tol), districts.metric[i])
        geom = shapely.set_precision(metric.unproject(part), 1e-5)
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": d.name, "covered_share": rep.districts[i].covered_share},
                "geometry": mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": feats}

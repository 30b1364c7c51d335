"""Is a point in China? Decided by China's boundary, not by a bounding box.

The boundary (`data/china_boundary.geojson`, built by scripts/build_boundary.py) is the People's
Republic of China as its own maps show it — mainland, Hainan and the South China Sea islands the
source holds, Taiwan, Hong Kong, Macao — simplified (0.01°) and grown outward by 0.08° (5–9 km),
so a station on a coast, an island or a border is never refused; open sea and neighbouring
capitals are. The GCJ-02 transform keeps its own box test (`coords.point_in_china`): that box is
what the providers' transforms use.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from locator.coords import point_in_china as _in_gcj_box
from locator.geo import haversine_m
from locator.shipped import shipped

BOUNDARY: Final = shipped("china_boundary.geojson")

_CELL_DEG: Final = 0.5  # point tests are answered per cell when a cell lies wholly inside or outside
_INSIDE, _OUTSIDE, _MIXED = 1, 0, -1


@functools.cache
def boundary() -> Any:
    """The boundary as a prepared shapely geometry (read once, on first use)."""
    doc = json.loads(BOUNDARY.read_text(encoding="utf-8"))
    geom = shapely.union_all([shapely.from_geojson(json.dumps(f["geometry"])) for f in doc["features"]])
    shapely.prepare(geom)
    return geom


@functools.cache
def _cell(ix: int, iy: int) -> int:
    box = shapely.box(ix * _CELL_DEG, iy * _CELL_DEG, (ix + 1) * _CELL_DEG, (iy + 1) * _CELL_DEG)
    geom = boundary()
    if shapely.contains_properly(geom, box):
        return _INSIDE
    return _OUTSIDE if shapely.disjoint(geom, box) else _MIXED


def in_china(lon: float, lat: float) -> bool:
    """Scalar test, one call per record: most points fall in a cell already classified (~0.3 µs)."""
    if not _in_gcj_box(lon, lat):  # the box holds the whole boundary; also rejects NaN
        return False
    state = _cell(math.floor(lon / _CELL_DEG), math.floor(lat / _CELL_DEG))
    if state != _MIXED:
        return state == _INSIDE
    return bool(shapely.contains_xy(boundary(), lon, lat))


def in_china_many(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Vectorised test for arrays of points."""
    out: NDArray[np.bool_] = shapely.contains_xy(
        boundary(), np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return out


def outside_hint(lon: float, lat: float) -> str:
    """How far a point outside China is from it, for the message (about 70 µs: errors only)."""
    if not _in_gcj_box(lon, lat):
        return "far from it: China lies within about lon 73…135, lat 3…54"
    line = shapely.shortest_line(boundary(), shapely.points(lon, lat))
    (x, y), _ = shapely.get_coordinates(line)
    km = float(haversine_m(lon, lat, x, y)) / 1000.0
    return f"about {max(1, round(km)):,} km from its borders and coasts"

"""District boundaries (WGS-84) and point-in-district lookup, vectorised.

The shipped file is data/districts_beijing.geojson (scripts/build_districts.py; source, datum
and licence in data/README.md). A point on a border shared by two districts (rare: the borders
are straight segments between vertices) goes to the first of them in file order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import mapping, shape

from locator.coverage import metric
from locator.shipped import shipped

DEFAULT_FILE = "districts_beijing.geojson"


@dataclass(frozen=True)
class District:
    name: str  # e.g. "西城区"
    adcode: str  # e.g. "110102"
    geometry: Any  # shapely (Multi)Polygon, WGS-84 lon/lat


class Districts(Sequence[District]):
    """An immutable sequence of districts with an STRtree for `locate`."""

    def __init__(self, items: Sequence[District]) -> None:
        self._items = tuple(items)
        self._tree = shapely.STRtree([d.geometry for d in self._items])

    @overload
    def __getitem__(self, i: int) -> District: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[District]: ...
    def __getitem__(self, i: int | slice) -> District | Sequence[District]:
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[District]:
        return iter(self._items)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self._items)

    def locate(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.intp]:
        """Index of the district containing each point (−1 = in none)."""
        pts = shapely.points(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        pts = np.atleast_1d(pts)
        out = np.full(pts.shape, -1, dtype=np.intp)
        inp, hit = self._tree.query(pts, predicate="intersects")
        order = np.lexsort((hit, inp))  # by point, then district: a border point keeps its first
        inp, hit = inp[order], hit[order]
        first = np.ones(inp.size, dtype=np.bool_)
        first[1:] = inp[1:] != inp[:-1]
        out[inp[first]] = hit[first]
        return out

    @cached_property
    def metric(self) -> NDArray[np.object_]:
        """The districts' geometries in the metric projection (locator.coverage.metric)."""
        out: NDArray[np.object_] = np.array([metric.project(d.geometry) for d in self._items], dtype=object)
        return out

    @cached_property
    def areas_m2(self) -> NDArray[np.float64]:
        out: NDArray[np.float64] = shapely.area(self.metric)
        return out

    def to_geojson(self, simplify_m: float = 0.0) -> dict[str, Any]:
        """FeatureCollection (WGS-84, coordinates rounded to 1e-5° ≈ 1 m) with name and adcode;
        `simplify_m` > 0 simplifies all districts together (shared borders stay shared)."""
        geoms = self.metric
        if simplify_m > 0:
            geoms = shapely.coverage_simplify(geoms, simplify_m)
        wgs = shapely.set_precision(metric.unproject(geoms), 1e-5)
        feats = [
            {"type": "Feature", "properties": {"name": d.name, "adcode": d.adcode}, "geometry": mapping(g)}
            for d, g in zip(self._items, wgs, strict=True)
        ]
        return {"type": "FeatureCollection", "features": feats}


def read_districts(path: Path) -> Districts:
    doc = json.loads(path.read_text(encoding="utf-8"))
    items = [
        District(
            name=str(f["properties"]["name"]),
            adcode=str(f["properties"]["adcode"]),
            geometry=shapely.make_valid(shape(f["geometry"])),
        )
        for f in doc["features"]
    ]
    return Districts(items)


@lru_cache(maxsize=8)
def _cached(path: Path) -> Districts:
    return read_districts(path)


def load_districts(path: Path | None = None) -> Districts:
    """Districts from a GeoJSON file with `name` and `adcode` properties (default: the shipped
    Beijing districts); cached per path."""
    return _cached(path if path is not None else shipped(DEFAULT_FILE))

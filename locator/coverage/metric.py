"""The one module of the coverage package that owns projected metres.

Coverage needs areas (a district's, the covered part's) and circles of a given radius, so
geometry is moved out of degrees into a Lambert azimuthal equal-area projection centred on
Beijing, computed on the same mean-Earth sphere as `locator.geo` (radius `EARTH_RADIUS_M`):

- areas are exact on that sphere (the projection is equal-area), so a covered *share* has no
  projection error; absolute areas differ from the WGS-84 ellipsoid's by about +0.1 % at 40°N;
- a circle of great-circle radius r (the contract's radius, the distance `locator nearest`
  reports) is drawn as a circle of radius r in the plane. The projection's scale at great-circle
  distance c from its centre is cos(c/2) radially and 1/cos(c/2) across, so at Beijing's farthest
  corner (c ≈ 130 km, c/R ≈ 0.02) the true circle is an ellipse whose axes differ from r by at most
  (c/R)²/8 ≈ 5e-5·r — 5 cm at 1 km (tests/core/test_coverage_metric.py measures it);
- a circle is a polygon of 4·quad_segs sides whose radius is enlarged so that its area is π r²
  exactly (`discs`): without that a 64-gon would lose 0.16 % of each circle's area.

WGS-84 latitude and longitude are used as spherical coordinates unchanged, as `locator.geo` does.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from locator.geo import EARTH_RADIUS_M

#: Projection centre: the middle of Beijing municipality's bounding box.
CENTRE_LON: Final = 116.46
CENTRE_LAT: Final = 40.25

_SPHERE: Final = CRS.from_proj4(f"+proj=longlat +R={EARTH_RADIUS_M} +no_defs +type=crs")
METRIC_CRS: Final = CRS.from_proj4(
    f"+proj=laea +lat_0={CENTRE_LAT} +lon_0={CENTRE_LON} +R={EARTH_RADIUS_M} +units=m +no_defs +type=crs"
)
_FWD: Final = Transformer.from_crs(_SPHERE, METRIC_CRS, always_xy=True)
_INV: Final = Transformer.from_crs(METRIC_CRS, _SPHERE, always_xy=True)


def to_metric(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS-84 lon/lat (degrees) → projected x/y (metres)."""
    x, y = _FWD.transform(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def to_lonlat(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Projected x/y (metres) → WGS-84 lon/lat (degrees)."""
    lon, lat = _INV.transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _apply(geom: shapely.Geometry, fwd: bool) -> shapely.Geometry:
    def move(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        a, b = (to_metric if fwd else to_lonlat)(xy[:, 0], xy[:, 1])
        return np.column_stack([a, b])

    return shapely.transform(geom, move)


def project(geom: shapely.Geometry) -> shapely.Geometry:
    """A WGS-84 geometry (or array of them) in the metric projection."""
    return _apply(geom, True)


def unproject(geom: shapely.Geometry) -> shapely.Geometry:
    """A metric geometry (or array of them) back in WGS-84 lon/lat."""
    return _apply(geom, False)


def area_m2(geom: shapely.Geometry) -> NDArray[np.float64] | float:
    """Area in square metres of WGS-84 geometries (exact on the sphere; see the module doc)."""
    out: NDArray[np.float64] | float = shapely.area(project(geom))
    return out


def discs(x: ArrayLike, y: ArrayLike, radius_m: float, quad_segs: int = 16) -> NDArray[np.object_]:
    """Circles of `radius_m` around projected points, as polygons in the metric projection, each
    with the area of the true circle (the polygon's radius is scaled up by the n-gon's deficit)."""
    n = 4 * quad_segs
    equal_area = radius_m / np.sqrt(n * np.sin(2 * np.pi / n) / (2 * np.pi))
    pts = shapely.points(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    out: NDArray[np.object_] = shapely.buffer(pts, equal_area, quad_segs=quad_segs)
    return out

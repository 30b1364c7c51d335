"""Candidate sites: where the next N stations would cover the most demand not yet covered.

Greedy maximum coverage (the classic (1 − 1/e) approximation): demand within `radius_m`
(great-circle) of a matching station — open at `at` with `open_now` — is covered already; each
step picks the candidate covering the most still-uncovered demand weight, then marks that demand
covered; it stops after `n` sites or when no candidate covers anything more.

Candidates are the nodes of a square grid (`grid_step(radius_m)`: 250 m, finer for
small radii so every demand point has a node within reach, coarser for large ones so a point has
at most ~110 nodes within reach) that lie inside a district and within reach of uncovered demand.
Demand points themselves are not candidates: dense demand would make that quadratic, and a node
is never more than 0.71 grid steps from a point. Among nodes of equal gain, the one closest to the
demand it covers wins (weights × (1 − (d/r)²)), so a site sits at its cluster, not at its edge.
Without demand there is nothing to rank (`NO_DEMAND`): area alone ties everywhere in rural land.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from locator import params
from locator.coords import from_wgs84
from locator.coverage.demand import Demand, load_demand
from locator.errors import InvalidParameter
from locator.geo import unit_vectors

if TYPE_CHECKING:
    from locator.coverage.districts import Districts
    from locator.service import Locator

__all__ = ["NO_DEMAND", "Demand", "Site", "SitesReport", "candidate_sites", "grid_step", "load_demand"]

NO_DEMAND: Final = "no demand given: candidate sites need weighted demand points (--demand FILE)"
N_MAX: Final = 100
_EARTH_R: Final = 6_371_008.8  # the mean radius geo.py's great-circle distances use
_TIE: Final = 1e-9  # gains within this relative margin are equal
_RASTER_CELLS: Final = 40_000_000  # a boolean raster up to 40 MB
_KEY: Final = 1 << 31  # packs a grid cell (x, y) into one int64: |y| < 2^30 cells


def grid_step(radius_m: float) -> float:
    """Spacing of the candidate grid: 250 m, at most r/2 (reach), at least r/6 (size)."""
    return max(min(250.0, radius_m / 2), radius_m / 6)


@dataclass(frozen=True)
class Site:
    rank: int
    lon: float  # WGS-84
    lat: float
    gcj_lon: float  # the same point in GCJ-02, for Amap
    gcj_lat: float
    district: str  # the district whose boundary contains the site
    weight: float  # demand weight newly covered by this site
    points: int  # demand points newly covered
    share_after: float  # share of all demand weight covered with this site and those before it


@dataclass(frozen=True)
class SitesReport:
    """`to_json()` → `{"at", "radius_m", "source", "crs", "grid_m", "demand": {"points", "weight",
    "covered_before", "covered_after", "share_before", "share_after"}, "sites": [{"rank", "lon",
    "lat", "gcj02": [lon, lat], "district", "weight", "points", "share_after"}]}`; lon/lat WGS-84,
    `at` ISO 8601 Beijing time; every site lies inside a district (`district` names it)."""

    at: dt.datetime
    radius_m: float
    source: str
    crs: str
    grid_m: float
    points: int
    weight: float
    covered_before: float
    sites: tuple[Site, ...]

    @property
    def covered_after(self) -> float:
        return self.covered_before + sum(s.weight for s in self.sites)

    def share(self, covered: float) -> float:
        return covered / self.weight if self.weight > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "radius_m": self.radius_m,
            "source": self.source,
            "crs": self.crs,
            "grid_m": self.grid_m,
            "demand": {
                "points": self.points,
                "weight": self.weight,
                "covered_before": self.covered_before,
                "covered_after": self.covered_after,
                "share_before": self.share(self.covered_before),
                "share_after": self.share(self.covered_after),
            },
            "sites": [
                {
                    "rank": s.rank,
                    "lon": round(s.lon, 6),
                    "lat": round(s.lat, 6),
                    "gcj02": [round(s.gcj_lon, 6), round(s.gcj_lat, 6)],
                    "district": s.district,
                    "weight": s.weight,
                    "points": s.points,
                    "share_after": s.share_after,
                }
                for s in self.sites
            ],
        }


def station_points(
    loc: Locator, *, at: dt.datetime, open_now: bool, amenities: Sequence[str], station_type: str | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """lon, lat of the stations that cover: not closed, matching the filters, and open at `at`
    when `open_now` (unknown hours do not count as open)."""
    positions = loc.select(amenities=amenities, station_type=station_type)
    stations = loc.stations
    chosen = [stations[p] for p in positions]
    if open_now and chosen:
        book = loc.book
        exprs = np.fromiter((book.expr_id(s.opening_hours) for s in chosen), np.int32, len(chosen))
        states = book.states(exprs, at.timestamp())
        is_open = (states == 1) & (exprs >= 0) & np.fromiter((s.status == "open" for s in chosen), bool, len(chosen))
        chosen = [s for s, keep in zip(chosen, is_open.tolist(), strict=True) if keep]
    lon = np.fromiter((s.lon for s in chosen), np.float64, len(chosen))
    lat = np.fromiter((s.lat for s in chosen), np.float64, len(chosen))
    return lon, lat


def _chord(metres: float) -> float:
    return float(2 * np.sin(metres / (2 * _EARTH_R)))


def _grid(
    lon: NDArray[np.float64], lat: NDArray[np.float64], reach_m: float, step_m: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The nodes of a grid `step_m` apart that lie within about `reach_m` of a point: each
    point's cell plus a disk of neighbouring cells, never the empty land between.

    The grid is laid on a local equirectangular plane (metres along the parallel of the points'
    middle latitude): across a city its step errs by ~1 %, which moves candidates, not answers —
    every distance that decides coverage is great-circle."""
    lat0 = float(np.radians((lat.min() + lat.max()) / 2))
    per_deg = np.pi / 180 * _EARTH_R
    x, y = np.asarray(lon) * per_deg * np.cos(lat0), np.asarray(lat) * per_deg
    cells = np.unique(np.column_stack([np.floor(x / step_m), np.floor(y / step_m)]).astype(np.int64), axis=0)
    k = int(np.ceil(reach_m / step_m)) + 1
    dx, dy = (a.ravel() for a in np.mgrid[-k : k + 1, -k : k + 1])
    disk = (dx**2 + dy**2) <= (reach_m / step_m + 1.5) ** 2
    dx, dy = dx[disk], dy[disk]
    low = cells.min(axis=0) - k
    width, height = (cells.max(axis=0) + k - low + 1).tolist()
    if width * height <= _RASTER_CELLS:  # mark the disks on a raster: cheaper than hashing keys
        raster = np.zeros((height, width), dtype=bool)
        cx, cy = cells[:, 0] - low[0], cells[:, 1] - low[1]
        for ox, oy in zip(dx.tolist(), dy.tolist(), strict=True):
            raster[cy + oy, cx + ox] = True
        ny, nx = np.nonzero(raster)
        gx, gy = nx + low[0], ny + low[1]
    else:  # demand spread far and wide: hash the cells of each disk, a chunk at a time
        chunk = max(1, 2_000_000 // dx.size)
        parts = [
            np.unique((c[:, None, 0] + dx) * _KEY + (c[:, None, 1] + dy), axis=None)
            for c in (cells[i : i + chunk] for i in range(0, len(cells), chunk))
        ]
        keys = np.unique(np.concatenate(parts))
        gx, gy = np.floor_divide(keys + _KEY // 2, _KEY), (keys + _KEY // 2) % _KEY - _KEY // 2
    return gx * step_m / (per_deg * np.cos(lat0)), gy * step_m / per_deg


def candidate_sites(
    loc: Locator,
    districts: Districts,
    demand: Demand | None,
    *,
    n: int = 10,
    radius_m: float = 1000.0,
    at: dt.datetime | str | None = None,
    open_now: bool = False,
    amenities: Sequence[str] = (),
    station_type: str | None = None,
) -> SitesReport:
    """The next `n` sites by greedy maximum coverage of the demand not yet covered."""
    if demand is None or len(demand) == 0:
        raise InvalidParameter("demand", NO_DEMAND)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= N_MAX:
        raise InvalidParameter("sites", f"{n!r} is not a number of sites between 1 and {N_MAX}")
    if not 0 < radius_m <= 50_000:
        raise InvalidParameter("radius", f"{radius_m!r} is not a radius in metres (more than 0, at most 50000)")
    when = params.moment(at)
    chord = _chord(radius_m)
    demand_xyz = unit_vectors(demand.lon, demand.lat)
    s_lon, s_lat = station_points(loc, at=when, open_now=open_now, amenities=amenities, station_type=station_type)
    covered = np.zeros(len(demand), dtype=bool)
    if s_lon.size:
        dist, _ = cKDTree(unit_vectors(s_lon, s_lat)).query(demand_xyz, distance_upper_bound=chord)
        covered = np.isfinite(dist)
    before = float(demand.weight[covered].sum())
    open_idx = np.flatnonzero(~covered)
    step = grid_step(radius_m)
    report = SitesReport(when, radius_m, demand.source, demand.crs, step, len(demand), demand.total, before, ())
    if not open_idx.size:
        return report
    sites = _greedy(districts, demand, open_idx, demand_xyz[open_idx], n, radius_m, step, before)
    return SitesReport(when, radius_m, demand.source, demand.crs, step, len(demand), demand.total, before, sites)


def _greedy(
    districts: Districts,
    demand: Demand,
    open_idx: NDArray[np.intp],
    open_xyz: NDArray[np.float64],
    n: int,
    radius_m: float,
    step: float,
    before: float,
) -> tuple[Site, ...]:
    chord = _chord(radius_m)
    g_lon, g_lat = _grid(demand.lon[open_idx], demand.lat[open_idx], radius_m, step)
    tree = cKDTree(open_xyz)
    g_xyz = unit_vectors(g_lon, g_lat)
    near, _ = tree.query(g_xyz, distance_upper_bound=chord)
    keep = np.flatnonzero(np.isfinite(near))
    where = districts.locate(g_lon[keep], g_lat[keep])
    inside = where >= 0
    keep, where = keep[inside], where[inside]
    if not keep.size:
        return ()
    c_lon, c_lat = g_lon[keep], g_lat[keep]
    pairs = cKDTree(g_xyz[keep]).sparse_distance_matrix(tree, chord, output_type="ndarray")
    rows, cols, d = pairs["i"], pairs["j"], pairs["v"]
    shape = (keep.size, open_idx.size)
    reach = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=shape)
    metres = 2 * _EARTH_R * np.arcsin(np.minimum(d / 2, 1.0))
    closeness = sparse.csr_matrix((1 - (metres / radius_m) ** 2, (rows, cols)), shape=shape)
    weight = demand.weight[open_idx].astype(np.float64)
    names = [dist.name for dist in districts]
    total = demand.total
    done = before
    out: list[Site] = []
    for rank in range(1, n + 1):
        gain = reach @ weight
        best_gain = float(gain.max())
        if best_gain <= 0:
            break
        tied = np.flatnonzero(gain >= best_gain * (1 - _TIE))
        c = int(tied[np.argmax(closeness[tied] @ weight)]) if tied.size > 1 else int(tied[0])
        newly = reach.indices[reach.indptr[c] : reach.indptr[c + 1]]
        newly = newly[weight[newly] > 0]
        gained = float(weight[newly].sum())
        weight[newly] = 0.0
        done += gained
        gx, gy = from_wgs84(c_lon[c : c + 1], c_lat[c : c + 1], "gcj02")
        share = done / total if total > 0 else 0.0
        lon, lat = float(c_lon[c]), float(c_lat[c])
        out.append(Site(rank, lon, lat, float(gx[0]), float(gy[0]), names[int(where[c])], gained, newly.size, share))
    return tuple(out)

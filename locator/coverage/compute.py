"""Coverage of districts by stations at a moment: counts, open counts, covered share.

Decisions (the contract leaves them open):
- `stations` and `open` count the stations matching the amenity/type filters (the stations that
  can serve the need asked about), in the district whose boundary contains them; stations
  closed for good are never counted; `open` = open at `at` (locator/coverage/stations.py).
- `covered_share` uses the matching stations wherever they are (across borders too), only the
  open ones when `open_now`; it is computed on the 50 m grid of locator/coverage/grid.py (exact
  circle test per cell centre; sampling error ≤ 0.3 percentage points, measured by the bench).
- the total row "全部" sums the districts' counts; its share is the covered area of all
  districts over their area. `outside` counts matching stations in no district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from locator import params
from locator.coverage import metric
from locator.coverage.districts import Districts
from locator.coverage.grid import Grid, grid_for
from locator.coverage.stations import Columns, columns
from locator.errors import InvalidParameter
from locator.service import Locator

TOTAL_NAME: Final = "全部"
MAX_RADIUS_M: Final = 50_000.0


@dataclass(frozen=True)
class DistrictCoverage:
    name: str
    stations: int
    open: int
    covered_share: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "stations": self.stations, "open": self.open, "covered_share": self.covered_share}


@dataclass(frozen=True)
class CoverageReport:
    at: dt.datetime
    radius_m: float
    districts: tuple[DistrictCoverage, ...]
    outside: int
    total: DistrictCoverage

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "radius_m": self.radius_m,
            "districts": [d.to_json() for d in self.districts],
            "outside": self.outside,
            "total": self.total.to_json(),
        }


def check_radius(radius_m: float, name: str = "radius") -> float:
    """The radius as a float; InvalidParameter unless 0 < radius ≤ 50 km."""
    r = float(radius_m)
    if not 0.0 < r <= MAX_RADIUS_M:
        raise InvalidParameter(name, f"must be more than 0 and at most {MAX_RADIUS_M:.0f} metres, got {r:g}")
    return r


@dataclass(frozen=True)
class Prepared:
    """What every moment of one query shares: the matching stations, located and projected."""

    cols: Columns
    keep: NDArray[np.bool_]  # matching the filters
    where: NDArray[np.intp]  # district of each kept station (−1 = outside)
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    grid: Grid


def prepare(loc: Locator, districts: Districts, amenities: Sequence[str], station_type: str | None) -> Prepared:
    cols = columns(loc)
    keep = cols.matching(amenities, station_type)
    lon, lat = cols.lon[keep], cols.lat[keep]
    x, y = metric.to_metric(lon, lat)
    return Prepared(cols, keep, districts.locate(lon, lat), x, y, grid_for(districts))


def open_mask(p: Prepared, at: dt.datetime) -> NDArray[np.bool_]:
    """Of the kept stations, the ones open at `at`."""
    return p.cols.open_at(at.timestamp())[p.keep]


def report(
    p: Prepared,
    districts: Districts,
    at: dt.datetime,
    radius_m: float,
    is_open: NDArray[np.bool_],
    open_now: bool,
    shares: NDArray[np.float64] | None = None,
) -> CoverageReport:
    """The report; `shares` when the caller has already computed them for these stations."""
    n = len(districts)
    inside = p.where >= 0
    stations = np.bincount(p.where[inside], minlength=n)
    opened = np.bincount(p.where[inside & is_open], minlength=n)
    if shares is None:
        use = is_open if open_now else np.ones_like(is_open)
        shares = p.grid.shares(p.x[use], p.y[use], radius_m)
    rows = tuple(
        DistrictCoverage(d.name, int(stations[i]), int(opened[i]), round(float(shares[i]), 6))
        for i, d in enumerate(districts)
    )
    total_share = float((shares * p.grid.counts).sum() / max(int(p.grid.counts.sum()), 1))
    total = DistrictCoverage(TOTAL_NAME, int(stations.sum()), int(opened.sum()), round(total_share, 6))
    return CoverageReport(at, radius_m, rows, int((~inside).sum()), total)


def coverage(
    loc: Locator,
    districts: Districts,
    *,
    at: dt.datetime,
    radius_m: float = 1000.0,
    amenities: Sequence[str] = (),
    station_type: str | None = None,
    open_now: bool = False,
) -> CoverageReport:
    """Per district: matching stations, those open at `at`, and the share of its area within
    `radius_m` of a matching station (open at `at` when `open_now`). `at` naive = Beijing time."""
    r = check_radius(radius_m)
    when = params.moment(at)
    p = prepare(loc, districts, amenities, station_type)
    return report(p, districts, when, r, open_mask(p, when), open_now)

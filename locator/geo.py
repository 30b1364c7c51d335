"""The one place that owns metres: great-circle distances and their chord equivalents.

Stations are indexed as 3-D unit vectors; the Euclidean (chord) distance between unit vectors
is monotonic in the great-circle distance, so a k-d tree over them gives exact spherical
nearest neighbours. Distances are never computed on degrees anywhere else.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Mean Earth radius (IUGG), metres; the great-circle model used for `distance_m`.
EARTH_RADIUS_M: Final = 6_371_008.8


def unit_vectors(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    lon_r = np.radians(np.asarray(lon, dtype=np.float64))
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    cos_lat = np.cos(lat_r)
    return np.stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)], axis=-1)


def unit_vector(lon: float, lat: float) -> tuple[float, float, float]:
    """Scalar version (plain math: ~10x faster than numpy for one point)."""
    lon_r = math.radians(lon)
    lat_r = math.radians(lat)
    c = math.cos(lat_r)
    return (c * math.cos(lon_r), c * math.sin(lon_r), math.sin(lat_r))


def chord_to_metres(chord: ArrayLike) -> NDArray[np.float64]:
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return 2.0 * EARTH_RADIUS_M * np.arcsin(c / 2.0)


def metres_to_chord(metres: float) -> float:
    """Chord length for a great-circle distance (capped at the antipode)."""
    angle = min(metres / EARTH_RADIUS_M, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres (haversine on the mean sphere)."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: NDArray[np.float64] = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out

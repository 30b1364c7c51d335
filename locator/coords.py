"""WGS-84 ⇄ GCJ-02 ⇄ BD-09, vectorised with numpy.

The forward GCJ-02 transform is the public-domain formula (as in prcoords, CC0). Inverses are
iterative (fixed-point on the forward transform) and converge to well under 1 cm; the one-step
inverse used by many libraries errs by metres. Points outside China are not shifted, as by the
official obfuscation. Argument order everywhere here is (lon, lat), like GeoJSON.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Crs = Literal["wgs84", "gcj02", "bd09"]
CRS_IDS: Final[tuple[str, ...]] = ("wgs84", "gcj02", "bd09")

_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE: Final = 0.00669342162296594323
_BD_PI: Final = math.pi * 3000.0 / 180.0
_TOL_DEG: Final = 1e-10  # ~1e-5 m
_MAX_ITER: Final = 30

Array = NDArray[np.float64]


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """The rough bounding box inside which GCJ-02 applies (the one prcoords and Amap SDKs use)."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    return (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)


def point_in_china(lon: float, lat: float) -> bool:
    """Scalar in_china (plain comparisons: used once per record when validating big files)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _delta(lon: Any, lat: Any, xp: Any = np) -> tuple[Any, Any]:
    """GCJ-02 offset in degrees; `xp` is numpy (arrays) or math (one point: ~10x faster)."""
    x = lon - 105.0
    y = lat - 35.0
    sx = xp.sqrt(abs(x))
    six_x = xp.sin(6.0 * x * math.pi) * 20.0 + xp.sin(2.0 * x * math.pi) * 20.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlat = dlat + (six_x + xp.sin(y * math.pi) * 20.0 + xp.sin(y / 3.0 * math.pi) * 40.0) * 2.0 / 3.0
    dlat = dlat + (xp.sin(y / 12.0 * math.pi) * 160.0 + xp.sin(y * math.pi / 30.0) * 320.0) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    dlon = dlon + (six_x + xp.sin(x * math.pi) * 20.0 + xp.sin(x / 3.0 * math.pi) * 40.0) * 2.0 / 3.0
    dlon = dlon + (xp.sin(x / 12.0 * math.pi) * 150.0 + xp.sin(x / 30.0 * math.pi) * 300.0) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * xp.sin(rad_lat) ** 2
    sqrt_magic = xp.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * xp.cos(rad_lat) * math.pi)
    return dlon, dlat


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return lon_a.astype(np.float64, copy=True), lat_a.astype(np.float64, copy=True)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    lon_a, lat_a = _arrays(lon, lat)
    inside = in_china(lon_a, lat_a)
    dlon, dlat = _delta(lon_a, lat_a)
    return np.where(inside, lon_a + dlon, lon_a), np.where(inside, lat_a + dlat, lat_a)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Iterative inverse: refine the guess until its forward image matches the input."""
    g_lon, g_lat = _arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(_MAX_ITER):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon -= e_lon
        w_lat -= e_lat
        if np.all(np.abs(e_lon) < _TOL_DEG) and np.all(np.abs(e_lat) < _TOL_DEG):
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 from GCJ-02; outside China Baidu uses WGS-84, so points there pass unchanged."""
    x, y = _arrays(lon, lat)
    inside = in_china(x, y)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_PI)
    return np.where(inside, z * np.cos(theta) + 0.0065, x), np.where(inside, z * np.sin(theta) + 0.006, y)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Iterative inverse of gcj02_to_bd09 (seeded with the usual one-step formula)."""
    b_lon, b_lat = _arrays(lon, lat)
    x, y = b_lon - 0.0065, b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_PI)
    inside = in_china(b_lon, b_lat)
    g_lon = np.where(inside, z * np.cos(theta), b_lon)
    g_lat = np.where(inside, z * np.sin(theta), b_lat)
    for _ in range(_MAX_ITER):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = f_lon - b_lon, f_lat - b_lat
        g_lon -= e_lon
        g_lat -= e_lat
        if np.all(np.abs(e_lon) < _TOL_DEG) and np.all(np.abs(e_lat) < _TOL_DEG):
            break
    return g_lon, g_lat


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[Array, Array]:
    """Convert points given in `crs` to WGS-84 (outside China: unchanged, as GCJ-02 is)."""
    if crs == "wgs84":
        return _arrays(lon, lat)
    if crs == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if crs == "bd09":
        g_lon, g_lat = bd09_to_gcj02(lon, lat)
        return gcj02_to_wgs84(g_lon, g_lat)
    raise ValueError(f"unknown crs {crs!r} (allowed: {', '.join(CRS_IDS)})")


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[Array, Array]:
    """Convert WGS-84 points to `crs`."""
    if crs == "wgs84":
        return _arrays(lon, lat)
    if crs == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if crs == "bd09":
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        return gcj02_to_bd09(g_lon, g_lat)
    raise ValueError(f"unknown crs {crs!r} (allowed: {', '.join(CRS_IDS)})")


def _gcj_point(lon: float, lat: float) -> tuple[float, float]:
    if not point_in_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat, math)
    return lon + dlon, lat + dlat


def _gcj_point_inverse(lon: float, lat: float) -> tuple[float, float]:
    w_lon, w_lat = lon, lat
    for _ in range(_MAX_ITER):
        f_lon, f_lat = _gcj_point(w_lon, w_lat)
        e_lon, e_lat = f_lon - lon, f_lat - lat
        w_lon -= e_lon
        w_lat -= e_lat
        if abs(e_lon) < _TOL_DEG and abs(e_lat) < _TOL_DEG:
            break
    return w_lon, w_lat


def point_to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """One point to WGS-84 (plain math: the API converts one point per request)."""
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        return _gcj_point_inverse(lon, lat)
    x, y = to_wgs84(lon, lat, crs)
    return float(x), float(y)


def point_from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """One WGS-84 point to `crs` (plain math for WGS-84 and GCJ-02)."""
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        return _gcj_point(lon, lat)
    x, y = from_wgs84(lon, lat, crs)
    return float(x), float(y)

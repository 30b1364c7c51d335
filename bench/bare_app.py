"""Baseline for bench_api.py: a bare FastAPI endpoint that only wraps a cKDTree query (SYNTHETIC points).

Run by bench_api.py as: uvicorn --factory bench.bare_app:create  (N from $BARE_N).
"""

from __future__ import annotations

import os

import numpy as np
import orjson
from fastapi import FastAPI
from fastapi.responses import Response
from scipy.spatial import cKDTree

from locator import synthetic
from locator.geo import EARTH_RADIUS_M, unit_vector, unit_vectors


def create() -> FastAPI:
    data = synthetic.arrays(int(os.environ.get("BARE_N", "1000000")), seed=1)
    tree = cKDTree(unit_vectors(data.lon, data.lat))
    app = FastAPI()

    @app.get("/nearest")
    async def nearest(lat: float, lon: float, k: int = 5) -> Response:
        d, i = tree.query(unit_vector(lon, lat), k=k)
        d, i = np.atleast_1d(d), np.atleast_1d(i)
        metres = (2 * EARTH_RADIUS_M * np.arcsin(np.minimum(d, 2.0) / 2)).tolist()
        feats = [
            {"type": "Feature", "id": int(j), "geometry": {"type": "Point", "coordinates": [float(data.lon[j]),
             float(data.lat[j])]}, "properties": {"distance_m": m}}
            for j, m in zip(i.tolist(), metres, strict=True)
        ]  # fmt: skip
        return Response(orjson.dumps({"type": "FeatureCollection", "features": feats}), media_type="application/json")

    return app

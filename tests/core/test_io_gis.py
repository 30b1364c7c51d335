"""GeoPackage layers as GIS tools leave them: QGIS style tables, lon/lat attributes, several layers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from locator.errors import InvalidParameter, RegistryInvalid
from locator.io import read_stations


def layer(path: Path, name: str = "站点", **extra: list[Any]) -> None:
    data: dict[str, list[Any]] = {"编号": [1, 2], "名称": ["甲站", "乙站"], "类型": ["暖心驿站", "暖心驿站"],
                                  "设施": ["热水、如厕", ""], "来源": ["调查", "调查"],
                                  "电话": [13800138000.0, None], "状态": ["正常开放", "正常开放"], **extra}  # fmt: skip
    geometry = [Point(116.38, 39.95), Point(116.39, 39.96)]
    gpd.GeoDataFrame(data, geometry=geometry, crs=4326).to_file(path, layer=name, engine="pyogrio")


def test_values_are_normalised_like_spreadsheet_cells_and_lonlat_attributes_dropped(tmp_path: Path) -> None:
    f = tmp_path / "p.gpkg"
    layer(f, 经度=[116.38, 116.39], 纬度=[39.95, 39.96], 序号=[1, 2])
    a, b = read_stations(f, None)
    assert (a.id, b.id, a.phone, a.status, a.type) == ("1", "2", "13800138000", "open", "warm_station")
    assert a.amenities == ("hot_water", "toilet") and (a.lon, a.lat) == (116.38, 39.95)


def test_styles_table_is_ignored_and_several_layers_need_layer(tmp_path: Path) -> None:
    f = tmp_path / "q.gpkg"
    layer(f)
    pd.DataFrame({"styleName": ["x"], "styleQML": ["<qgis/>"]}).pipe(
        lambda df: gpd.GeoDataFrame(df).to_file(f, layer="layer_styles", engine="pyogrio")
    )
    assert len(read_stations(f, None)) == 2
    layer(f, name="旧站点")
    with pytest.raises(InvalidParameter, match=r"has layers .*站点.*: name one with --layer NAME"):
        read_stations(f, None)
    assert len(read_stations(f, None, layer="旧站点")) == 2
    with pytest.raises(InvalidParameter, match="has no layer 'nope'"):
        read_stations(f, None, layer="nope")
    with pytest.raises(InvalidParameter, match="has no geometry"):
        read_stations(f, None, layer="layer_styles")


def test_table_without_geometry_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "t.gpkg"
    layer(f)
    gpd.GeoDataFrame({"a": [1]}).to_file(f, layer="stations", engine="pyogrio")
    with sqlite3.connect(f) as db:
        db.execute("DELETE FROM gpkg_geometry_columns")
        db.execute("UPDATE gpkg_contents SET data_type = 'attributes'")
    with pytest.raises(InvalidParameter, match="no layer with geometry") as info:
        read_stations(f, None)
    assert "\n" not in str(info.value)


def test_kept_columns_become_text_and_blobs_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "k.gpkg"
    layer(f, 面积=[20.5, 30])
    with sqlite3.connect(f) as db:  # a real BLOB column (pyogrio would write bytes as text)
        for trigger in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger[0]}"')  # the R-tree triggers need SpatiaLite functions
        db.execute('ALTER TABLE "站点" ADD COLUMN "照片" BLOB')
        db.execute("""UPDATE "站点" SET "照片" = x'89504e47' WHERE fid = 1""")
    with pytest.raises(RegistryInvalid) as info:
        read_stations(f, None, keep={"面积", "照片"})
    assert [p.message for p in info.value.problems] == ["is binary data (a BLOB): export the column as text"]
    g = tmp_path / "k2.gpkg"
    layer(g, 面积=[20.5, 30])
    a, b = read_stations(g, None, keep={"面积"})
    assert (a.extra, b.extra) == ({"面积": "20.5"}, {"面积": "30"})

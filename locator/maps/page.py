"""One map page: folium builds the Leaflet skeleton (map, basemaps, layer switcher, scale,
fullscreen); our app script renders the stations from the page's data file.

Folium's HTML is post-processed so the page works under a strict Content-Security-Policy
(`script-src 'self'`, `style-src 'self'`): its inline scripts and styles move into
content-hashed files, every script is deferred (nothing blocks the first paint), and element ids
are fixed so a rebuild of unchanged data is byte-identical.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Final

import folium
import orjson
from branca.element import Element
from folium import plugins

from locator import vocab
from locator.maps.icons import AMENITY_ICON, TYPE_GLYPH
from locator.maps.assets import (
    APP_JS,
    CSS_RESOURCES,
    ENGINE_JS,
    SUPERCLUSTER_JS,
    LICENCES,
    SCRIPTS,
    STYLES,
    Published,
    hashed,
    with_gzip,
)

AMAP_TILES: Final = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
)
OSM_TILES: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_TILES: Final = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
TIANDITU_LABELS: Final = "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"

_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.S)
_INLINE_STYLE: Final = re.compile(r"<style>(.*?)</style>", re.S)
_VIEWPORT: Final = re.compile(r'<meta name="viewport"[^>]*>', re.S)


@dataclass(frozen=True)
class PageSpec:
    slug: str  # file name without .html
    title: str  # Chinese title shown in the browser tab and the header
    center: tuple[float, float]  # lat, lon (WGS-84)
    zoom: int
    data_path: str  # relative path of this page's data script
    tianditu_key: str | None = None


def _fix_ids(element: Element, name: str) -> None:
    element._id = name  # noqa: SLF001 - folium has no public way to make ids deterministic


def _skeleton(spec: PageSpec) -> folium.Map:
    # a city map: no zooming out to continents; the scale control (metric only) is added by app.js
    m = folium.Map(location=list(spec.center), zoom_start=spec.zoom, tiles=None, min_zoom=max(spec.zoom - 4, 3))
    _fix_ids(m, "map")
    m.default_js = []  # assets are added by `render` (vendored, hashed); never folium's CDN list
    m.default_css = []
    amap = folium.TileLayer(
        tiles=AMAP_TILES, attr="&copy; 高德地图", name="高德地图", subdomains="1234", max_zoom=18, max_native_zoom=18
    )
    _fix_ids(amap, "amap")
    amap.add_to(m)
    osm = folium.TileLayer(
        tiles=OSM_TILES, attr="&copy; OpenStreetMap 贡献者", name="OpenStreetMap", max_zoom=19, show=False
    )
    _fix_ids(osm, "osm")
    osm.add_to(m)
    if spec.tianditu_key:
        tdt = folium.TileLayer(
            tiles=TIANDITU_TILES.replace("{key}", spec.tianditu_key),
            attr="&copy; 天地图",
            name="天地图",
            subdomains="01234567",
            max_zoom=18,
            show=False,
        )
        _fix_ids(tdt, "tianditu")
        tdt.add_to(m)
    fullscreen = plugins.Fullscreen(position="topleft", title="全屏", title_cancel="退出全屏")  # type: ignore[no-untyped-call]
    fullscreen.default_js = []
    fullscreen.default_css = []
    _fix_ids(fullscreen, "fullscreen")
    fullscreen.add_to(m)
    layers = folium.LayerControl(position="topright", collapsed=True)
    _fix_ids(layers, "layers")
    layers.add_to(m)
    return m


def render(spec: PageSpec, asset_paths: dict[str, str]) -> list[Published]:
    """The page's HTML and its own script and style files (paths relative to maps/)."""
    raw = _skeleton(spec).get_root().render()
    scripts = [s.strip() for s in _INLINE_SCRIPT.findall(raw)]
    styles = [s.strip() for s in _INLINE_STYLE.findall(raw)]
    body = _INLINE_SCRIPT.sub("", _INLINE_STYLE.sub("", raw))
    page_cfg: dict[str, Any] = {
        "map": "map_map",
        "layers": {"amap": "tile_layer_amap", "osm": "tile_layer_osm", "tianditu": "tile_layer_tianditu"},
        "title": spec.title,
        "data": spec.data_path,
        "engine": asset_paths["js:engine"],
        "supercluster": asset_paths["js:supercluster"],
        # [id, Chinese label, glyph / icon]: every id of the vocabulary (KeyError when one has none)
        "types": [[t.id, t.zh, TYPE_GLYPH[t.id]] for t in vocab.STATION_TYPES],
        "amenities": [[a.id, a.zh, AMENITY_ICON[a.id]] for a in vocab.AMENITIES],
    }
    js = "\n".join(scripts) + "\nwindow.LOCATOR_PAGE = " + orjson.dumps(page_cfg).decode() + ";\n"
    css = "\n".join(styles) + "\n"
    js_path = hashed(f"page-{spec.slug}", "js", js.encode())
    css_path = hashed(f"page-{spec.slug}", "css", css.encode())
    head_links = "".join(f'<link rel="stylesheet" href="{asset_paths["css:" + p]}">\n' for _src, p in STYLES)
    head_links += f'<link rel="stylesheet" href="{css_path}">\n'
    head_scripts = "".join(f'<script defer src="{asset_paths["js:" + p]}"></script>\n' for _src, p in SCRIPTS)
    tail = f'<script defer src="{js_path}"></script>\n<script defer src="{asset_paths["js:engine"]}"></script>\n'
    tail += f'<script defer src="{asset_paths["js:app"]}"></script>\n'
    title = html.escape(spec.title)
    meta = (
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        '<meta name="description" content="户外劳动者暖心驿站地图：查找附近此刻开放、可热饭饮水如厕休息充电的工会驿站">\n'
        '<meta name="theme-color" content="#b3261e">\n'
    )
    page = _VIEWPORT.sub("", body).replace('<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', "")
    page = page.replace("<html>", '<html lang="zh-CN">', 1)
    page = page.replace("<head>", "<head>\n" + meta + head_links + head_scripts, 1)
    page = page.replace("</body>", f'<noscript>本地图需要启用 JavaScript。</noscript>\n{tail}</body>', 1)
    page = re.sub(r"\n\s*\n+", "\n", page)
    return [
        Published(f"{spec.slug}.html", page.encode()),
        *with_gzip(js_path, js.encode()),
        *with_gzip(css_path, css.encode()),
    ]


def shared_assets() -> tuple[dict[str, str], list[Published]]:
    """Vendored libraries and our app under hashed names; returns {stem: path} and the files."""
    files: list[Published] = []
    paths: dict[str, str] = {}
    for src, stem in (*SCRIPTS, (APP_JS, "app"), (ENGINE_JS, "engine"), (SUPERCLUSTER_JS, "supercluster")):
        data = src.read_bytes()
        paths["js:" + stem] = hashed(stem, "js", data)
        files.extend(with_gzip(paths["js:" + stem], data))
    for src, stem in STYLES:
        data = src.read_bytes()
        paths["css:" + stem] = hashed(stem, "css", data)
        files.extend(with_gzip(paths["css:" + stem], data))
    for src, name in (*CSS_RESOURCES, *LICENCES):  # url() targets of the CSS, and the licences
        files.extend(with_gzip(f"assets/{name}", src.read_bytes()))
    return paths, files


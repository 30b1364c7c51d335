"""Map builds: reproducible, atomic, no CDN, and the committed maps/ matches data/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from locator.holidays import load_holidays
from locator.maps import build as maps_build
from locator.maps.build import plan, write
from locator.registry import load_registry
from tests.conftest import REPO, station

CDN = re.compile(r"jsdelivr|cdnjs|bootstrapcdn|code\.jquery\.com|unpkg|googleapis")


def test_committed_maps_are_up_to_date() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "locator", "build-maps", "--check", "--registry", "data/stations.geojson"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    fix = "run `locator build-maps --registry data/stations.geojson` and commit"
    assert r.returncode == 0, f"maps/ is stale against data/: {fix}\n" + r.stdout


def test_rebuild_is_byte_identical_and_cdn_free(tmp_path: Path) -> None:
    reg = load_registry(REPO / "data" / "stations.geojson")
    cal = load_holidays()
    first = write(tmp_path, plan(reg.stations, cal, reg.version))
    assert first.written and not first.removed
    again = write(tmp_path, plan(reg.stations, cal, reg.version))
    assert again.written == [] and again.removed == []
    for f in tmp_path.rglob("*"):
        if f.suffix in (".html", ".js", ".css"):
            text = f.read_text(encoding="utf-8")
            assert not CDN.search(text), f
    html = (tmp_path / "index.html").read_text()
    assert "<script>" not in html and "<style>" not in html  # nothing inline: strict CSP holds
    assert 'lang="zh-CN"' in html and "user-scalable=no" not in html
    pages = (tmp_path / "pages.html").read_text()
    assert "district-xicheng.html" in pages and "西城区" in pages
    for lic in ("LICENSE.leaflet.txt", "LICENSE.supercluster.txt", "LICENSE.leaflet.fullscreen.txt"):
        assert (tmp_path / "assets" / lic).exists()


def test_failed_build_leaves_previous_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cal = load_holidays()
    stations = [station("a", district="西城区"), station("b", 116.4, district="东城区")]
    write(tmp_path, plan(stations, cal, "v1"))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(maps_build, "render", boom)
    with pytest.raises(RuntimeError):
        write(tmp_path, plan([*stations, station("c", 116.5, district="朝阳区")], cal, "v2"))
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_stale_pages_are_removed_and_closed_stations_left_out(tmp_path: Path) -> None:
    cal = load_holidays()
    write(tmp_path, plan([station("a", district="西城区"), station("b", 116.4, district="东城区")], cal, "v1"))
    assert (tmp_path / "district-dongcheng.html").exists()
    res = write(tmp_path, plan([station("a", district="西城区"), station("b", 116.4, district="东城区", status="closed")], cal, "v2"))
    assert "district-dongcheng.html" in res.removed and not (tmp_path / "district-dongcheng.html").exists()
    data = next((tmp_path / "assets").glob("data-index.*.js")).read_text()
    assert '"a"' in data and '"b"' not in data

"""Export → import is an exact round trip in every format (a property test over random registries)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import vocab
from locator.io import read_stations, write_stations
from locator.model import Station
from locator.validate import check_feature

# text staff could type, plus formula-like starts, quotes, tabs and line feeds (which every format holds)
_ALPHABET = st.sampled_from(
    [*"德胜驿站工会服务新街口朝阳区", *string.ascii_letters, *"0123456789", *" =+-@'\t\n,;\"、"]
)
_PREFIX = st.sampled_from(["", "", "=", "+", "-", "@", "'=", "''-", "'"])
TEXT = st.builds(str.__add__, _PREFIX, st.text(_ALPHABET, min_size=1, max_size=12)).map(str.strip).filter(bool)
HOURS = st.sampled_from([None, "24/7", "Mo-Fr 09:00-17:00; PH off", "Mo-Su 08:00-20:00", '09:00-18:00 "请电话确认"'])
PHONES = st.sampled_from(["010-12345678", "+86 10 1234 5678", "13800138000;010-1234 5678", "-"])


@st.composite
def stations(draw: st.DrawFn) -> list[Station]:
    n = draw(st.integers(1, 5))
    out: list[Station] = []
    for i in range(n):
        props: dict[str, object] = {
            "id": f"s-{i}",
            "name": draw(TEXT),
            "type": draw(st.sampled_from(vocab.TYPE_IDS)),
            "amenities": draw(st.lists(st.sampled_from(vocab.AMENITY_IDS), unique=True, max_size=4)),
            "opening_hours": draw(HOURS),
            "source": draw(TEXT),
        }
        for key in ("address", "district", "operator", "note"):
            if draw(st.booleans()):
                props[key] = draw(TEXT)
        if draw(st.booleans()):
            props["phone"] = draw(PHONES)
        if draw(st.booleans()):
            props["verified_at"] = draw(st.dates().map(lambda d: d.isoformat()))
        if draw(st.booleans()):
            props["status"] = draw(st.sampled_from(vocab.STATUS_IDS))
        if draw(st.booleans()):
            props["extra_note"] = draw(TEXT)
        lon = draw(st.floats(73.6, 134.7)).__round__(7)
        lat = draw(st.floats(18.2, 53.5)).__round__(7)
        station, problems = check_feature(
            f"#{i}", {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        )
        if station is not None and not problems:
            out.append(station)
    return out


@pytest.mark.parametrize(("ext", "crs"), [("csv", "wgs84"), ("csv", "gcj02"), ("xlsx", "wgs84"), ("xlsx", "bd09"),
                                          ("geojson", "wgs84"), ("gpkg", "wgs84")])  # fmt: skip
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(registry=stations())
def test_export_import_is_exact(tmp_path: Path, ext: str, crs: str, registry: list[Station]) -> None:
    f = tmp_path / f"out.{ext}"
    write_stations(f, registry, crs)
    back = read_stations(f, crs if ext in ("csv", "xlsx") else None, {"extra_note"})
    assert len(back) == len(registry)
    for a, b in zip(registry, back, strict=True):
        # coordinates: exact in WGS-84 files; through GCJ-02/BD-09 rounded to 1e-7° and inverted
        # iteratively, so within 2e-7° (about 2 cm)
        tol = 0.0 if crs == "wgs84" else 2e-7
        assert abs(a.lon - b.lon) <= tol and abs(a.lat - b.lat) <= tol, (a, b)
        assert a.properties() == b.properties()

"""Registry validation reports every problem, one line each, with place and field."""

from __future__ import annotations

import json
from pathlib import Path

from locator.registry import check_registry, load_registry
from tests.conftest import REPO


def feature(fid: str | None, lon: float, lat: float, **props: object) -> dict:  # type: ignore[type-arg]
    base = {
        "name": "站点",
        "type": "warm_station",
        "amenities": [],
        "opening_hours": None,
        "source": "test (synthetic)",
    }
    if fid is not None:
        base["id"] = fid
    base.update(props)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": base}


def write(tmp_path: Path, features: list) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "broken.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return p


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            feature("a", 116.38, 39.95, type="hotel"),
            feature("b", 116.38, 39.96, amenities=["wifi", "sauna"]),
            feature("c", 39.95, 116.38),
            feature("d", -0.12, 51.5),
            feature("e", 116.39, 39.95, opening_hours="Mo-Fr 8-18"),
            feature("a", 116.40, 39.95),
            feature(None, 116.41, 39.95, name=""),
            feature("f", 116.42, 39.95, source=None),
            feature("g", 116.43, 39.95, status="gone", coord_precision="roughly", verified_at="yesterday"),
        ],
    )
    stations, problems, _ = check_registry(path)
    lines = [str(p) for p in problems]
    expect = [
        f"{path}:a: type: unknown type 'hotel' (allowed: service_station, warm_station, worker_home, mother_baby_room)",
        f"{path}:b: amenities: unknown amenity 'sauna' (allowed: drinking_water,",
        f"{path}:c: geometry: [39.95, 116.38] looks swapped",
        f"{path}:d: geometry: [-0.12, 51.5] is far outside China",
        f"{path}:e: opening_hours: 'Mo-Fr 8-18': not valid OSM opening_hours syntax at character 7",
        f"{path}:a: id: duplicate id 'a' (first used at",
        f"{path}:#7: id: required field is missing",
        f"{path}:#7: name: must not be empty",
        f"{path}:f: source: required field is null",
        f"{path}:g: status: unknown status 'gone' (allowed: open, temporarily_closed, closed)",
        f"{path}:g: coord_precision: unknown coord precision 'roughly' (allowed: exact, approximate)",
        f"{path}:g: verified_at: 'yesterday' is not a YYYY-MM-DD date",
    ]
    for e in expect:
        assert any(line.startswith(e) for line in lines), (e, lines)
    assert [s.id for s in stations] == ["a"]  # only the second 'a' is otherwise valid


def test_same_name_within_50_m_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [feature("a", 116.38, 39.95), feature("b", 116.3803, 39.9501), feature("c", 116.39, 39.95)],
    )
    reg = load_registry(path)  # warnings do not fail the load
    assert len(reg.stations) == 3
    assert [str(w) for w in reg.warnings] == [
        f"{path}:b: name: warning: same name '站点' as 'a' 28 m away: a duplicate?"
    ]


def test_not_a_feature_collection(tmp_path: Path) -> None:
    p = tmp_path / "x.geojson"
    p.write_text("{not json")
    _, problems, _ = check_registry(p)
    assert problems[0].field == "file" and "not valid JSON" in problems[0].message
    p.write_text('{"type": "Feature"}')
    _, problems, _ = check_registry(p)
    assert "FeatureCollection" in problems[0].message


def test_shipped_sample_is_valid_and_honest() -> None:
    reg = load_registry(REPO / "data" / "stations.geojson")
    assert len(reg.stations) >= 8 and not reg.warnings
    seeds = {p.name for p in (REPO.parent / "shared" / "seeds").glob("*.txt")} or None
    for st in reg.stations:
        assert "seeds/" in st.source and "synthetic" not in st.source.lower()
        if seeds:
            for name in [part.split("seeds/")[1] for part in st.source.split("；") if "seeds/" in part]:
                assert name in seeds, name
        assert st.coord_precision == "approximate"  # every sample point is placed from a street or landmark
        assert not st.id.startswith("syn-")

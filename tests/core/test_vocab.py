"""One vocabulary: the schema's Literal types and the map page's glyphs and icons follow vocab.py."""

from __future__ import annotations

import re
from typing import Any, get_args

import orjson
import pytest

from locator import model, vocab
from locator.maps import icons, page
from locator.maps.page import PageSpec, render, shared_assets
from locator.validate import check_feature
from tests.conftest import REPO

LITERALS = [
    ("TypeId", model.TypeId, vocab.TYPE_IDS),
    ("AmenityId", model.AmenityId, vocab.AMENITY_IDS),
    ("StatusId", model.StatusId, vocab.STATUS_IDS),
    ("PrecisionId", model.PrecisionId, vocab.PRECISION_IDS),
    ("AccessId", model.AccessId, vocab.ACCESS_IDS),
]


@pytest.mark.parametrize(("name", "literal", "ids"), LITERALS, ids=[n for n, _l, _i in LITERALS])
def test_schema_literals_are_the_vocabulary(name: str, literal: Any, ids: tuple[str, ...]) -> None:
    """mypy needs the ids written out in model.py; this keeps them equal to vocab's, in order."""
    wanted = f"{name} = Literal[{', '.join(repr(i).replace(chr(39), chr(34)) for i in ids)}]"
    assert get_args(literal) == ids, f"locator/model.py is out of step with locator/vocab.py; write:\n{wanted}"


def test_schema_enums_and_messages_list_the_vocabulary() -> None:
    schema = model.StationProperties.model_json_schema()
    assert schema["properties"]["type"]["enum"] == list(vocab.TYPE_IDS)
    assert schema["properties"]["amenities"]["items"]["enum"] == list(vocab.AMENITY_IDS)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [116.38, 39.95]},
        "properties": {
            "id": "a", "name": "站", "type": "warm_station", "amenities": ["sauna"],
            "opening_hours": None, "source": "test fixture (synthetic)",
        },
    }  # fmt: skip
    _station, problems = check_feature("f.geojson:a", feature)
    allowed = ", ".join(f"{a.id} {a.zh}" for a in vocab.AMENITIES)
    assert [p.message for p in problems] == [f"unknown amenity 'sauna' (allowed: {allowed})"]


def test_every_vocabulary_id_has_a_glyph_or_icon() -> None:
    assert list(icons.TYPE_GLYPH) == list(vocab.TYPE_IDS)
    assert list(icons.AMENITY_ICON) == list(vocab.AMENITY_IDS)
    assert all(icons.TYPE_GLYPH.values()) and all(icons.AMENITY_ICON.values())


def _page_config(files: list[Any]) -> dict[str, Any]:
    script = next(f for f in files if f.path.startswith("assets/page-") and f.path.endswith(".js"))
    text = script.data.decode()
    return dict(orjson.loads(text[text.index("window.LOCATOR_PAGE = ") + 22 :].rstrip().rstrip(";")))


def test_page_carries_the_vocabulary_with_its_icons() -> None:
    paths, _assets = shared_assets()
    cfg = _page_config(render(PageSpec("index", "t", (39.9, 116.4), 11, "assets/data.js"), paths))
    assert cfg["types"] == [[t.id, t.zh, icons.TYPE_GLYPH[t.id]] for t in vocab.STATION_TYPES]
    assert cfg["amenities"] == [[a.id, a.zh, icons.AMENITY_ICON[a.id]] for a in vocab.AMENITIES]


def test_a_new_amenity_without_an_icon_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page.vocab, "AMENITIES", (*vocab.AMENITIES, vocab.Term("shower", "淋浴", "shower")))
    paths, _assets = shared_assets()
    with pytest.raises(KeyError, match="shower"):
        render(PageSpec("index", "t", (39.9, 116.4), 11, "assets/data.js"), paths)


def test_the_page_script_names_only_vocabulary_ids() -> None:
    """app.js takes glyphs and icons from the page config; the ids it still names must exist."""
    app = (REPO / "locator" / "maps" / "static" / "app.js").read_text(encoding="utf-8")
    quick = re.search(r"QUICK_AMENITIES = \[([^\]]*)\]", app)
    assert quick is not None
    assert set(re.findall(r'"(\w+)"', quick.group(1))) <= set(vocab.AMENITY_IDS)
    assert "TYPE_GLYPH = {}" in app and "AMENITY_ICON = {}" in app  # no table of its own
    css = (REPO / "locator" / "maps" / "static" / "app.css").read_text(encoding="utf-8")
    assert all(f".lc-{t} {{" in css for t in vocab.TYPE_IDS)


def test_status_words_staff_write_are_read_as_the_status() -> None:
    assert [vocab.status_id(w) for w in ("暂停", "临时关闭", "关闭", "停用", "正常开放", "营业")] == [
        "temporarily_closed", "temporarily_closed", "closed", "closed", "open", "open",
    ]  # fmt: skip
    assert vocab.status_id("装修中") is None

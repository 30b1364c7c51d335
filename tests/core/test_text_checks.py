"""Hidden characters and over-long text are refused by the one check every write path uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from locator.registry import save_registry
from locator.validate import check_feature
from tests.conftest import REPO, station

PLACE = "f.geojson:a1"


def feature(**props: Any) -> dict[str, Any]:
    base = {"id": "a1", "name": "站", "type": "warm_station", "amenities": [], "opening_hours": None, "source": "s"}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}, "properties": base | props}


def problems(**props: Any) -> list[str]:
    station_, found = check_feature(PLACE, feature(**props))
    assert (station_ is None) == bool(found)
    return [str(p) for p in found]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"name": "abc\x01\x1b[31mred"}, "name: contains a control character (U+0001 at position 4, and 1 more)"),
        ({"name": "ab\u202ecba"}, "name: contains a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE"),
        ({"name": "站\u200b点"}, "name: contains an invisible format character (U+200B ZERO WIDTH SPACE at position 2"),
        ({"name": "\ufeff站"}, "name: contains an invisible format character (U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ({"name": "站\u2067点"}, "name: contains a bidirectional control character (U+2067"),
        ({"name": "站\u2060点"}, "name: contains an invisible format character (U+2060 WORD JOINER"),
        ({"name": "站\x85点"}, "name: contains a control character (U+0085 at position 2)"),
        ({"name": "a\nb"}, "name: contains a control character (U+000A at position 2); remove it; tab and newline"),
        ({"phone": "010\t123"}, "phone: contains a control character (U+0009 at position 4)"),
        ({"address": "路\r口"}, "address: contains a control character (U+000D at position 2)"),
        ({"note": "a\x00b"}, "note: contains a control character (U+0000 at position 2)"),
        ({"operator": "x\u2028y"}, "operator: contains a line or paragraph separator (U+2028"),
        ({"district": "\ud800"}, "district: contains a lone surrogate (U+D800 at position 1)"),
        ({"source": "s\uffff"}, "source: contains a noncharacter (U+FFFF at position 2)"),
        ({"opening_hours": "24/7\x1b"}, "opening_hours: contains a control character (U+001B at position 5)"),
        ({"status": "open\x1b"}, "status: contains a control character (U+001B at position 5)"),
        ({"wechat": "号\u202e"}, "wechat: contains a bidirectional control character (U+202E"),
    ],
)
def test_hidden_characters_are_one_problem_per_field_naming_the_code_point(props: dict[str, Any], message: str) -> None:
    found = problems(**props)
    assert len(found) == 1, found
    assert found[0].startswith(f"{PLACE}: {message}")
    assert "remove it" in found[0]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 100), ("address", 200), ("note", 2_000), ("district", 200), ("operator", 200), ("phone", 200),
     ("source", 200), ("website", 2_000)],
)  # fmt: skip
def test_text_longer_than_its_limit_is_refused(field: str, limit: int) -> None:
    assert problems(**{field: "字" * limit}) == []
    assert problems(**{field: "字" * (limit + 1)}) == [
        f"{PLACE}: {field}: is {limit + 1:,} characters long; at most {limit:,} allowed"
    ]


def test_fields_with_their_own_limit_are_not_reported_twice() -> None:
    assert problems(opening_hours="Mo-Fr 09:00-17:00" + " " * 300)[0].startswith(f"{PLACE}: opening_hours: ")
    assert len(problems(opening_hours="Mo-Fr " + "09:00-10:00," * 30)) == 1
    assert len(problems(code="C" * 65)) == 1 and len(problems(id="a" * 201)) == 1


def test_multiline_notes_and_addresses_and_ordinary_text_are_accepted() -> None:
    assert problems(note="第一行\n第二行\r\n\t第三行", address="北京市东城区\n某某路1号") == []
    assert problems(name="东城 环卫工人\u3000暖心驿站（一号）😀", operator="Café «Ñ»", wechat="x") == []
    assert problems(tags=["a\x1b"], count=3) == []  # only string values are text


def test_edit_refuses_an_escape_in_a_name_and_export_never_sees_a_long_note(tmp_path: Path) -> None:
    src = tmp_path / "src.geojson"
    save_registry(src, [station("a")])
    reg = tmp_path / "reg.sqlite"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "locator", *args, "--registry", str(reg)]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)

    assert run("init", "--from", str(src)).returncode == 0
    bad = run("edit", "a", "--by", "x", "--why", "y", "--set", "name=abc\x01\x1b[31mred")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "name: contains a control character (U+0001 at position 4" in bad.stdout + bad.stderr
    long = run("edit", "a", "--by", "x", "--why", "y", "--set", "note=" + "长" * 40_000)
    assert long.returncode != 0
    assert "note: is 40,000 characters long; at most 2,000 allowed" in long.stdout + long.stderr
    out = tmp_path / "o.xlsx"
    assert run("export", str(out)).returncode == 0, "the store kept only valid text"

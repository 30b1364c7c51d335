"""The revision commands end to end: real `locator` processes on SQLite stores in tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from locator.registry import DEFAULT_REGISTRY, load_registry, save_registry
from locator.where import default_store, resolve_registry
from tests.conftest import REPO, station


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "locator", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=REPO, timeout=120)


def ok(*args: str) -> str:
    r = run(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store made by `locator init --from` a synthetic GeoJSON of three stations."""
    src = tmp_path / "src.geojson"
    save_registry(src, [station("a"), station("b", 116.5, 39.9), station("c", 116.3, 40.0, code="C-1")])
    path = tmp_path / "reg.sqlite"
    assert ok("init", "--registry", str(path), "--from", str(src)) == f"{path}: created with 3 station(s) " + (
        f"(created from {src})\n"
    )
    return path


def history(path: Path, sid: str) -> list[dict[str, Any]]:
    doc = json.loads(ok("history", sid, "--registry", str(path), "--json"))
    assert doc["id"] == sid
    return list(doc["revisions"])


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_edit_move_close_verify_revert_each_leave_a_revision_naming_what_changed(store: Path) -> None:
    reg = ("--registry", str(store))
    out = ok(
        "edit", "a", *reg, "--by", "张三", "--why", "电话更新", "--set", "电话=010-1234 / 138", "--set", "状态=暂停开放"
    )
    assert out == "a: revision 2 (seq 4)\n"
    assert ok(
        "edit", "a", *reg, "--by", "张三", "--why", "x", "--add-amenity", "热水", "--remove-amenity", "drinking_water"
    )
    assert ok("edit", "a", *reg, "--by", "李四", "--why", "搬了", "--move", "39.96,116.39", "--crs", "wgs84") == (
        "a: revision 4 (seq 6)\n"
    )
    assert ok("close", "a", *reg, "--by", "王五", "--why", "拆除") == "a: revision 5 (seq 7)\n"
    assert ok("verify", "a", *reg, "--by", "王五", "--on", "2025/3/1") == "a: revision 6 (seq 8)\n"
    assert ok("revert", "a", "1", *reg, "--by", "赵六", "--why", "误操作") == "a: revision 7 (seq 9)\n"
    revs = history(store, "a")
    got = [(r["rev"], r["seq"], r["by"], r["op"], r["changed"]) for r in revs]
    assert got == [
        (1, 1, "init", "create", got[0][4]),
        (2, 4, "张三", "edit", ["phone", "status"]),
        (3, 5, "张三", "edit", ["amenities"]),
        (4, 6, "李四", "move", ["geometry"]),
        (5, 7, "王五", "close", ["status"]),
        (6, 8, "王五", "verify", ["verified_at"]),
        (7, 9, "赵六", "revert", ["amenities", "phone", "status", "verified_at", "geometry"]),
    ]
    assert {"id", "name", "geometry"} <= set(got[0][4])
    props = [r["feature"]["properties"] for r in revs]
    assert props[1]["phone"] == "010-1234;138" and props[1]["status"] == "temporarily_closed"
    assert props[2]["amenities"] == ["hot_water"]
    assert revs[3]["feature"]["geometry"]["coordinates"] == [116.39, 39.96]
    assert props[4]["status"] == "closed" and props[5]["verified_at"] == "2025-03-01"
    assert revs[6]["feature"] == revs[0]["feature"]  # the content of revision 1 again
    text = ok("history", "a", *reg)
    assert "rev 2  seq 4" in text and '  phone: — → "010-1234;138"' in text and "  why: 电话更新" in text
    assert '  status: "open" → "temporarily_closed"' in text


def test_an_unchanged_edit_makes_no_revision(store: Path) -> None:
    reg = ("--registry", str(store))
    assert ok("edit", "b", *reg, "--by", "x", "--why", "y", "--set", "type=暖心驿站") == "b: no change\n"
    assert ok("verify", "b", *reg, "--by", "x", "--on", "2025-01-02") == "b: revision 2 (seq 4)\n"
    assert ok("verify", "b", *reg, "--by", "x", "--on", "2025-01-02") == "b: no change\n"
    assert len(history(store, "b")) == 2


def test_a_field_set_twice_is_refused_not_last_wins(store: Path) -> None:
    reg = ("--registry", str(store))
    r = run("edit", "b", *reg, "--by", "x", "--why", "y", "--set", "name=甲", "--set", "名称=乙")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--set" in r.stderr and "name is given twice" in r.stderr, r.stderr
    assert len(history(store, "b")) == 1


def test_empty_value_clears_an_optional_field_and_problems_are_listed_one_per_line(store: Path) -> None:
    reg = ("--registry", str(store))
    assert ok("edit", "c", *reg, "--by", "x", "--why", "y", "--set", "code=") == "c: revision 2 (seq 4)\n"
    assert "code" not in history(store, "c")[-1]["feature"]["properties"]
    r = run(
        "edit",
        "c",
        *reg,
        "--by",
        "x",
        "--why",
        "y",
        "--set",
        "type=hotel",
        "--set",
        "name=",
        "--set",
        "opening_hours=Mo-Zz",
    )
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["name", "type", "opening_hours"]
    assert all(line.startswith("c: ") for line in lines)
    assert len(history(store, "c")) == 2  # nothing written


def test_if_rev_conflict_exits_3_and_leaves_the_store_unchanged(store: Path) -> None:
    reg = ("--registry", str(store))
    ok("edit", "a", *reg, "--by", "x", "--why", "y", "--set", "name=新名", "--if-rev", "1")
    before = rows(store, "SELECT seq, station_id, rev, after FROM revisions ORDER BY seq")
    r = run("edit", "a", *reg, "--by", "x", "--why", "stale", "--set", "name=旧", "--if-rev", "1")
    assert r.returncode == 3, r.stderr
    assert "a: changed meanwhile: expected revision 1, the station is at revision 2" in r.stderr
    assert rows(store, "SELECT seq, station_id, rev, after FROM revisions ORDER BY seq") == before


def test_delete_then_revert_to_the_deleted_state_and_back(store: Path) -> None:
    reg = ("--registry", str(store))
    assert ok("delete", "b", *reg, "--by", "x", "--why", "gone") == "b: revision 2 (seq 4)\n"
    assert ok("revert", "b", "1", *reg, "--by", "x", "--why", "back") == "b: revision 3 (seq 5)\n"
    assert ok("revert", "b", "2", *reg, "--by", "x", "--why", "gone again") == "b: revision 4 (seq 6)\n"
    assert rows(store, "SELECT count(*) FROM stations WHERE id = 'b'") == [(0,)]
    assert (
        ok("revert", "b", "2", *reg, "--by", "x", "--why", "again")
        == "b: no change (already deleted, as at revision 2)\n"
    )
    assert [(r["op"], r["feature"] is None) for r in history(store, "b")] == [
        ("create", False), ("delete", True), ("revert", False), ("revert", True),
    ]  # fmt: skip
    assert ok("delete", "b", *reg, "--by", "x", "--why", "twice") == "b: no change (already deleted at revision 4)\n"
    r = run("edit", "b", *reg, "--by", "x", "--why", "y", "--set", "name=甲")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "'b' was deleted at revision 4" in r.stderr and "locator revert b 3" in r.stderr, r.stderr
    assert len(history(store, "b")) == 4
    r = run("revert", "b", "9", *reg, "--by", "x", "--why", "y")
    assert r.returncode == 2 and "REV: b has no revision 9 (it has 1 to 4)" in r.stderr


def test_changes_json_is_the_feed_with_tombstones_and_pages(store: Path) -> None:
    reg = ("--registry", str(store))
    ok("delete", "a", *reg, "--by", "x", "--why", "y")
    doc = json.loads(ok("changes", *reg, "--json"))
    assert set(doc) == {"changes", "latest", "links"} and doc["latest"] == 4
    assert [(c["seq"], c["id"], c["rev"], c["op"]) for c in doc["changes"]] == [
        (1, "a", 1, "upsert"), (2, "b", 1, "upsert"), (3, "c", 1, "upsert"), (4, "a", 2, "delete"),
    ]  # fmt: skip
    assert all(set(c) == {"seq", "id", "rev", "op", "at", "feature"} for c in doc["changes"])
    assert doc["changes"][3]["feature"] is None and doc["changes"][0]["feature"]["properties"]["id"] == "a"
    assert all(c["at"].endswith("Z") for c in doc["changes"])
    page = json.loads(ok("changes", *reg, "--json", "--since", "1", "--limit", "2"))
    assert [c["seq"] for c in page["changes"]] == [2, 3] and page["latest"] == 3
    assert json.loads(ok("changes", *reg, "--json", "--since", "4"))["changes"] == []
    assert run("changes", *reg, "--limit", "10001").returncode == 2


def test_user_token_is_printed_once_and_only_its_hash_is_stored(store: Path) -> None:
    reg = ("--registry", str(store))
    out = ok("user", "add", "张三", "--role", "editor", *reg).splitlines()
    token = out[-1]
    assert len(token) >= 40 and " " not in token and token not in "\n".join(out[:-1])
    assert rows(store, "SELECT name, role, token_hash FROM users") == [
        ("张三", "editor", hashlib.sha256(token.encode()).hexdigest())
    ]
    assert token.encode() not in store.read_bytes()
    listed = ok("user", "list", *reg)
    assert listed.startswith("张三\teditor\t") and "active" in listed and token not in listed
    assert ok("user", "revoke", "张三", *reg) == "user 张三: revoked; their token no longer works\n"
    assert "revoked" in ok("user", "list", *reg)
    assert run("user", "revoke", "nobody", *reg).returncode == 2
    second = ok("user", "add", "李四", "--role", "admin", *reg).splitlines()[-1]
    assert second != token


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--why", "y"], "--by"),
        (["--by", "  ", "--why", "y"], "--by"),
        (["--by", "x"], "--why"),
        (["--by", "x", "--why", "\t"], "--why"),
    ],
)
def test_by_and_why_are_required_and_not_blank(store: Path, flags: list[str], named: str) -> None:
    r = run("close", "a", "--registry", str(store), *flags)
    assert r.returncode == 2
    assert r.stderr.startswith(f"locator close: error: {named}: must not be blank")
    assert len(history(store, "a")) == 1


def test_bad_arguments_are_one_line_exit_2(store: Path) -> None:
    reg = ("--registry", str(store))
    cases = {
        ("edit", "nope", "--by", "x", "--why", "y", "--set", "name=n"): "no station with id 'nope'",
        ("edit", "a", "--by", "x", "--why", "y", "--set", "foo=1"): "--set: unknown field 'foo'",
        ("edit", "a", "--by", "x", "--why", "y", "--set", "id=b"): "--set: id: the id cannot be changed",
        ("edit", "a", "--by", "x", "--why", "y", "--move", "39.9,116.4"): "--crs: required with --move",
        ("edit", "a", "--by", "x", "--why", "y", "--move", "91,116", "--crs", "wgs84"): "--move: 91 is out of range",
        ("edit", "a", "--by", "x", "--why", "y", "--add-amenity", "sauna"): "--add-amenity: unknown amenity 'sauna'",
        ("edit", "a", "--by", "x", "--why", "y"): "nothing to change",
        ("verify", "a", "--by", "x", "--on", "2999-01-01"): "--on: 2999-01-01 is in the future",
        ("history", "nope"): "no station with id 'nope'",
        ("backup", str(store)): "is the store itself",
        ("backup", str(store.with_name("copy.geojson"))): "name the copy *.sqlite or *.db",
        ("changes", "--since", "9223372036854775808"): "--since: '9223372036854775808' must be 0 to",
        ("close", "a", "--by", "a\x1b[2Jb", "--why", "y"): "--by: contains an invisible or control character (U+001B)",
        ("close", "a", "--by", "x", "--why", "y\u202e"): "--why: contains an invisible or control character (U+202E)",
        ("edit", "a", "--by", "x", "--why", "y", "--set", "name=n", "--if-rev", "5"): "it never had revision 5",
    }
    for args, message in cases.items():
        r = run(*args, *reg)
        assert r.returncode == (3 if "--if-rev" in args else 2), (args, r.stdout, r.stderr)
        assert len(r.stderr.splitlines()) == 1 and message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert len(history(store, "a")) == 1


def test_a_geojson_registry_is_refused_for_revision_commands(tmp_path: Path) -> None:
    path = tmp_path / "reg.geojson"
    save_registry(path, [station("a")])
    before = path.read_bytes()
    for args in (("edit", "a", "--by", "x", "--why", "y", "--set", "name=n"), ("history", "a"), ("changes",)):
        r = run(*args, "--registry", str(path))
        assert r.returncode == 2
        assert f"`locator {args[0]}` needs a store" in r.stderr
        assert f"locator init --registry registry.sqlite --from {path}" in r.stderr
    assert path.read_bytes() == before


def test_init_refuses_a_store_that_has_stations_and_reads_spreadsheets(tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text("编号,名称,类型,经度,纬度,来源,开放时间\nq1,站一,暖心驿站,116.4,39.9,测试,24/7\n", encoding="utf-8")
    path = tmp_path / "r.sqlite"
    r = run("init", "--registry", str(path), "--from", str(csv))
    assert r.returncode == 2 and "--crs" in r.stderr and not path.exists()
    ok("init", "--registry", str(path), "--from", str(csv), "--crs", "gcj02")
    again = run("init", "--registry", str(path))
    assert again.returncode == 2 and "already a store with 1 stations" in again.stderr
    lon, lat = json.loads(ok("changes", "--registry", str(path), "--json"))["changes"][0]["feature"]["geometry"][
        "coordinates"
    ]
    assert (lon, lat) != (116.4, 39.9) and abs(lon - 116.4) < 0.01  # converted from GCJ-02
    empty = tmp_path / "e.sqlite"
    ok("init", "--registry", str(empty), "--empty")
    assert ok("init", "--registry", str(empty)).startswith(f"{empty}: created with ")  # an empty store is filled
    assert rows(empty, "SELECT count(*) FROM stations") == [(len(load_registry(DEFAULT_REGISTRY).stations),)]


def test_backup_is_a_store_with_the_same_history(store: Path, tmp_path: Path) -> None:
    ok("close", "a", "--registry", str(store), "--by", "x", "--why", "y")
    copy = tmp_path / "copy.sqlite"
    assert (
        ok("backup", str(copy), "--registry", str(store)) == f"{store}: backed up to {copy} (3 stations, up to seq 4)\n"
    )
    assert history(copy, "a") == history(store, "a")


def test_a_named_store_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite"
    for args in (("nearest", "39.9", "116.4"), ("history", "a"), ("changes",)):
        r = run(*args, "--registry", str(path))
        assert r.returncode == 2
        assert r.stderr.strip().endswith(f"no store here; create it with `locator init --registry {path}`")
    assert not path.exists()


def test_locator_registry_names_the_store(store: Path) -> None:
    r = run("changes", env={"LOCATOR_REGISTRY": str(store)})
    assert r.returncode == 0 and r.stdout.count("\n") == 3


def test_the_default_store_is_made_on_first_use_from_the_shipped_data(empty_data_home: Path) -> None:
    path = empty_data_home / "locator" / "registry.sqlite"
    first = run("nearest", "39.95", "116.38", "-k", "1", "--at", "2026-02-20T10:00")
    assert first.returncode == 0, first.stderr
    assert f"created the registry store {path} from the shipped data" in first.stderr
    shipped = len(load_registry(DEFAULT_REGISTRY).stations)
    assert rows(path, "SELECT by, why FROM changesets") == [("init", "created from the shipped data")]
    assert rows(path, "SELECT count(*) FROM stations") == [(shipped,)]
    second = run("nearest", "39.95", "116.38", "-k", "1", "--at", "2026-02-20T10:00")
    assert second.returncode == 0 and "created" not in second.stderr and second.stdout == first.stdout
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_two_processes_at_once_make_the_default_store_once(empty_data_home: Path) -> None:
    cmd = [sys.executable, "-m", "locator", "nearest", "39.95", "116.38", "-k", "1"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO) for _ in range(4)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [rc for rc, _o, _e in results] == [0, 0, 0, 0], results
    path = empty_data_home / "locator" / "registry.sqlite"
    shipped = len(load_registry(DEFAULT_REGISTRY).stations)
    assert rows(path, "SELECT count(*) FROM changesets") == [(1,)]
    assert rows(path, "SELECT count(*), count(DISTINCT station_id) FROM revisions") == [(shipped, shipped)]
    assert sum("created the registry store" in e for _rc, _o, e in results) == 1
    # the store, and the columnar snapshot derived from it (no half-made file of either)
    assert {p.name for p in path.parent.iterdir()} <= {"registry.sqlite", "registry.sqlite.columns"}
    assert not [p for p in path.parent.rglob("*") if p.name.startswith(".")]


def test_where_the_registry_is() -> None:
    env = {"HOME": "/home/u"}
    assert default_store(env) == "/home/u/.local/share/locator/registry.sqlite"
    assert default_store({**env, "XDG_DATA_HOME": "/data"}) == "/data/locator/registry.sqlite"
    assert default_store({**env, "XDG_DATA_HOME": "relative"}) == "/home/u/.local/share/locator/registry.sqlite"
    assert resolve_registry(None, {**env, "LOCATOR_REGISTRY": "/srv/r.sqlite"}) == "/srv/r.sqlite"
    assert resolve_registry("x.geojson", {**env, "LOCATOR_REGISTRY": "/srv/r.sqlite"}) == "x.geojson"
    assert resolve_registry(None, {**env, "LOCATOR_REGISTRY": ""}) == default_store(env)

"""Maps of a SQLite store: built by `build-maps`, judged stale by the store's head change, and
kept in step by the watcher, which rewrites only the pages a change touched."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from locator.holidays import DEFAULT_HOLIDAYS
from locator.maps.store_watch import StoreMapsWatcher
from locator.store import Change, create_store, open_store
from tests.conftest import REPO, station

STATIONS = [
    station("xc-1", 116.37, 39.91, name="西城站甲", district="西城区"),
    station("xc-2", 116.36, 39.92, name="西城站乙", district="西城区"),
    station("dc-1", 116.41, 39.93, name="东城站甲", district="东城区"),
    station("cy-1", 116.48, 39.95, name="朝阳站甲", district="朝阳区"),
    station("hd-1", 116.30, 39.96, name="海淀站甲", district="海淀区"),
]


def build_maps(reg: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOCATOR_HOLIDAYS": str(DEFAULT_HOLIDAYS)}
    cmd = [sys.executable, "-m", "locator", "--registry", str(reg), "build-maps", "--out", str(out), *extra]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def make_store(tmp_path: Path) -> Path:
    reg = tmp_path / "reg.sqlite"
    store, _res = create_store(reg, STATIONS, by="init", why="test fixture")
    store.close()
    return reg


def edit(reg: Path, sid: str, **changes: object) -> int:
    store = open_store(reg)
    try:
        cur = store.get(sid)
        assert cur is not None
        res = store.commit([Change(sid, dataclasses.replace(cur.station, **changes), "edit")], by="tester", why="test")
        assert res.latest is not None
        return res.latest
    finally:
        store.close()


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()
    }


def recorded_seq(out: Path) -> int:
    try:
        return int(orjson.loads((out / ".build.json").read_bytes())["registry_seq"])
    except (FileNotFoundError, KeyError, orjson.JSONDecodeError):
        return -1


def wait_seq(out: Path, seq: int, watcher: StoreMapsWatcher | None = None, timeout: float = 20) -> None:
    """Until the manifest names change `seq` (and the watcher has put every file of it in place)."""
    deadline = time.monotonic() + timeout
    while recorded_seq(out) != seq or (watcher is not None and watcher.done_seq != seq):
        assert time.monotonic() < deadline, f"maps in {out} not rebuilt to change {seq} within {timeout} s"
        time.sleep(0.1)


def of_page(files: dict[str, tuple[int, bytes]], slug: str) -> dict[str, tuple[int, bytes]]:
    return {rel: v for rel, v in files.items() if rel == f"{slug}.html" or rel.startswith(f"assets/data-{slug}.")}


def test_build_maps_from_a_store_and_check_after_an_edit(tmp_path: Path) -> None:
    reg, out = make_store(tmp_path), tmp_path / "maps"
    r = build_maps(reg, out)
    assert r.returncode == 0, r.stderr
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "district-xicheng.html", "district-dongcheng.html", "pages.html"} <= names
    assert recorded_seq(out) == len(STATIONS)
    data = next((out / "assets").glob("data-district-xicheng.*.js")).read_text(encoding="utf-8")
    assert "西城站甲" in data and "东城站甲" not in data
    assert build_maps(reg, out, "--check").returncode == 0
    edit(reg, "dc-1", name="东城站改名")
    r = build_maps(reg, out, "--check")
    assert r.returncode == 1
    assert f"{out / '.build.json'}: stale (differs from a fresh build)" in r.stdout.splitlines()
    assert "stale: run `locator build-maps`" in r.stderr


def test_build_maps_names_a_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    r = build_maps(missing, tmp_path / "maps")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--registry" in lines[0] and "no store here" in lines[0], lines
    assert not missing.exists() and not (tmp_path / "maps").exists()


def test_watcher_rewrites_only_the_touched_district(tmp_path: Path) -> None:
    reg, out = make_store(tmp_path), tmp_path / "maps"
    watcher = StoreMapsWatcher(reg, DEFAULT_HOLIDAYS, out)
    watcher.start(0.05, build_first=True)
    try:
        wait_seq(out, len(STATIONS), watcher)
        before = snapshot(out)
        seq = edit(reg, "xc-2", name="西城站已改名")
        wait_seq(out, seq, watcher)
        after = snapshot(out)
        xc = "district-xicheng"
        assert of_page(after, xc) != of_page(before, xc)
        assert "西城站已改名" in next(v[1] for k, v in of_page(after, xc).items() if k.endswith(".js")).decode()
        for other in ("district-dongcheng", "district-chaoyang", "district-haidian"):
            assert of_page(after, other) == of_page(before, other), other  # same bytes, same mtime: not rewritten
        assert of_page(after, "index") != of_page(before, "index")
        unchanged = [rel for rel in before if rel in after and after[rel] == before[rel]]
        assert "assets/" + next(p.name for p in (out / "assets").glob("leaflet.*.js")) in unchanged

        # a move to another district rewrites both pages; an emptied district loses its page
        before = snapshot(out)
        seq = edit(reg, "hd-1", district="朝阳区")
        wait_seq(out, seq, watcher)
        after = snapshot(out)
        assert not (out / "district-haidian.html").exists()
        assert of_page(after, "district-chaoyang") != of_page(before, "district-chaoyang")
        assert of_page(after, "district-dongcheng") == of_page(before, "district-dongcheng")
        assert "海淀区" not in (out / "pages.html").read_text(encoding="utf-8")
    finally:
        watcher.stop()
    # what the watcher wrote is exactly what a full build makes at that change
    r = build_maps(reg, out, "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_watcher_on_up_to_date_maps_writes_nothing_until_a_change(tmp_path: Path) -> None:
    reg, out = make_store(tmp_path), tmp_path / "maps"
    assert build_maps(reg, out).returncode == 0
    before = snapshot(out)
    watcher = StoreMapsWatcher(reg, DEFAULT_HOLIDAYS, out)
    watcher.start(0.05, build_first=False)
    try:
        time.sleep(1.0)  # several polls with no change
        assert snapshot(out) == before
        store = open_store(reg)
        try:
            res = store.commit([Change("cy-1", None, "delete")], by="tester", why="closed for good")
        finally:
            store.close()
        assert res.latest is not None
        wait_seq(out, res.latest, watcher)
    finally:
        watcher.stop()
    assert not (out / "district-chaoyang.html").exists()
    assert of_page(snapshot(out), "district-xicheng") == of_page(before, "district-xicheng")
    assert build_maps(reg, out, "--check").returncode == 0


def test_the_follower_runs_in_a_process_of_its_own_at_the_lowest_priority(tmp_path: Path) -> None:
    """The serving process (and its workers) never share the CPU or the GIL with a page build."""
    reg, out = make_store(tmp_path), tmp_path / "maps"
    watcher = StoreMapsWatcher(reg, DEFAULT_HOLIDAYS, out, start_delay_s=0)
    watcher.start(0.05)  # no pages yet: it finds them stale and builds them
    try:
        pid = watcher.pid
        assert pid is not None and pid != os.getpid()
        wait_seq(out, len(STATIONS), watcher)
        assert os.getpriority(os.PRIO_PROCESS, pid) == 19
        if sys.platform == "linux":
            assert os.sched_getscheduler(pid) == os.SCHED_BATCH
            assert Path(f"/proc/{pid}/comm").read_text().strip() == "locator-maps"
        seq = edit(reg, "dc-1", name="东城站改名")
        wait_seq(out, seq, watcher)
    finally:
        watcher.stop()
    assert watcher.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert build_maps(reg, out, "--check").returncode == 0


@pytest.mark.parametrize("delay_s", [5.0, 0.0])
def test_the_follower_leaves_when_serve_is_killed_with_minus_9(tmp_path: Path, delay_s: float) -> None:
    """Killed before the follower got going (delay 5 s) or while it follows (delay 0), the
    serving process leaves no orphan holding every station in memory."""
    reg, out = make_store(tmp_path), tmp_path / "maps"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from locator.holidays import DEFAULT_HOLIDAYS\n"
        "from locator.maps.store_watch import StoreMapsWatcher\n"
        f"w = StoreMapsWatcher(Path({str(reg)!r}), DEFAULT_HOLIDAYS, Path({str(out)!r}), start_delay_s={delay_s})\n"
        "w.start(0.05)\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    serve = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert serve.stdout is not None
        child = int(serve.stdout.readline())
        if delay_s == 0:
            wait_for_file = time.monotonic() + 120
            while not (out / "index.html").exists() and time.monotonic() < wait_for_file:
                time.sleep(0.1)
            assert (out / "index.html").exists()
    finally:
        serve.kill()
        serve.wait(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_large_registry_refreshes_the_planners_page_data_at_most_every_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from locator.maps import store_maps

    reg, out = make_store(tmp_path), tmp_path / "maps"
    monkeypatch.setattr(store_maps, "COVERAGE_LARGE", 1)  # these five stations count as large
    maps = store_maps.StoreMaps(open_store(reg), DEFAULT_HOLIDAYS, out)
    maps.build()
    first = sorted(p.name for p in (out / "assets").glob("data-coverage.*.js"))
    edit(reg, "dc-1", lon=116.60, lat=40.10)  # moves coverage: a fresh build's data would differ
    maps.update()
    assert sorted(p.name for p in (out / "assets").glob("data-coverage.*.js")) == first
    assert recorded_seq(out) == len(STATIONS) + 1
    monkeypatch.setattr(store_maps, "COVERAGE_EVERY_S", 0.0)
    edit(reg, "dc-1", name="东城站改名")
    maps.update()
    assert sorted(p.name for p in (out / "assets").glob("data-coverage.*.js")) != first
    assert build_maps(reg, out, "--check").returncode == 0

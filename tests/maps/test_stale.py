"""Served maps are judged by content (the build manifest), never by mtime, and live in a cache
folder of the registry served, never in the repository's maps/."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from locator.holidays import DEFAULT_HOLIDAYS
from locator.maps import live
from locator.maps.live import MapsWatcher, build_maps
from locator.registry import save_registry
from tests.conftest import REPO, station, stop, wait_healthy

V1 = [station("old-1", name="恢复站点甲", district="西城区")]
V2 = [station("new-1", name="新站点乙", district="西城区")]
PAST = time.time() - 30 * 86400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """`locator ARGS serve --port P`; yields the base URL and (live) lines of its stderr."""
    port = free_port()
    cmd = [sys.executable, "-m", "locator", *args, "--port", str(port), "--reload-interval", "0"]
    proc = subprocess.Popen(
        cmd, cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env or dict(os.environ)
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: "".join(lines), 60)
        yield base, lines
    finally:
        stop(proc)
        reader.join(timeout=5)


def built_from(maps: Path) -> str:
    try:
        return str(orjson.loads((maps / ".build.json").read_bytes())["registry_sha256"])
    except (FileNotFoundError, orjson.JSONDecodeError):
        return ""


def wait_built_from(maps: Path, registry: Path, timeout: float = 90) -> None:
    want = hashlib.sha256(registry.read_bytes()).hexdigest()
    deadline = time.monotonic() + timeout
    while built_from(maps) != want:
        assert time.monotonic() < deadline, f"maps in {maps} were not rebuilt from {registry}"
        time.sleep(0.2)


def page_data(maps: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (maps / "assets").glob("data-index.*.js"))


def test_restored_older_registry_is_rebuilt_at_serve_start(tmp_path: Path) -> None:
    reg, maps = tmp_path / "reg.geojson", tmp_path / "maps"
    save_registry(reg, V1)
    v1 = reg.read_bytes()
    build_maps(reg, DEFAULT_HOLIDAYS, maps)
    save_registry(reg, V2)
    build_maps(reg, DEFAULT_HOLIDAYS, maps)
    assert "新站点乙" in page_data(maps)
    reg.write_bytes(v1)  # restored as `cp -p`, rsync or tar do: with its old mtime
    os.utime(reg, (PAST, PAST))
    assert (maps / "index.html").stat().st_mtime > reg.stat().st_mtime
    with serving("--registry", str(reg), "serve", "--maps", str(maps)) as (base, lines):
        wait_built_from(maps, reg)
        assert httpx.get(f"{base}/maps/index.html").status_code == 200
    data = page_data(maps)
    assert "恢复站点甲" in data and "新站点乙" not in data
    assert any("building maps" in line for line in lines)


def test_second_start_on_unchanged_data_does_not_rebuild(tmp_path: Path) -> None:
    reg, maps = tmp_path / "reg.geojson", tmp_path / "maps"
    save_registry(reg, V1)
    with serving("--registry", str(reg), "serve", "--maps", str(maps)) as (_base, lines):
        wait_built_from(maps, reg)
    assert any("building maps" in line for line in lines)
    reg.touch()  # newer mtime, same content (a `git checkout`, an editor saving unchanged)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in maps.rglob("*") if p.is_file()}
    with serving("--registry", str(reg), "serve", "--maps", str(maps)) as (_base, lines):
        pass
    assert not any("building maps" in line for line in lines), lines
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in maps.rglob("*") if p.is_file()} == before


def test_watcher_rebuilds_on_content_not_on_touch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reg, maps = tmp_path / "reg.geojson", tmp_path / "maps"
    save_registry(reg, V1)
    v1 = reg.read_bytes()
    save_registry(reg, V2)
    build_maps(reg, DEFAULT_HOLIDAYS, maps)
    builds: list[float] = []
    real = MapsWatcher.build

    def counted(self: MapsWatcher) -> None:
        builds.append(time.monotonic())
        real(self)

    monkeypatch.setattr(live.MapsWatcher, "build", counted)
    watcher = MapsWatcher(reg, DEFAULT_HOLIDAYS, maps)
    watcher.start(0.05)
    try:
        reg.touch()
        time.sleep(0.5)  # several polls: the signature changed, the content did not
        assert builds == []
        reg.write_bytes(v1)
        os.utime(reg, (PAST, PAST))
        wait_built_from(maps, reg)
        # one build, or two when a poll caught the file half-written (that build fails, the next succeeds)
        assert 1 <= len(builds) <= 2 and "恢复站点甲" in page_data(maps)
    finally:
        watcher.stop()


def test_check_compares_the_manifest(tmp_path: Path) -> None:
    reg, maps, hol = tmp_path / "reg.geojson", tmp_path / "maps", tmp_path / "holidays.csv"
    save_registry(reg, V1)
    hol.write_bytes(DEFAULT_HOLIDAYS.read_bytes())
    env = {**os.environ, "LOCATOR_HOLIDAYS": str(hol)}
    args = [sys.executable, "-m", "locator", "--registry", str(reg), "build-maps", "--out", str(maps)]
    assert subprocess.run(args, env=env, capture_output=True).returncode == 0
    assert subprocess.run([*args, "--check"], env=env, capture_output=True).returncode == 0
    hol.write_bytes(hol.read_bytes() + b"\n")  # same holidays, other bytes: only the manifest differs
    r = subprocess.run([*args, "--check"], env=env, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f"{maps / '.build.json'}: stale (differs from a fresh build)"]


def test_serving_another_registry_leaves_the_repository_maps_alone(tmp_path: Path) -> None:
    committed = {p: p.read_bytes() for p in (REPO / "maps").rglob("*") if p.is_file()}
    other = tmp_path / "other.geojson"
    save_registry(other, V2)
    env = {**os.environ, "LOCATOR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("LOCATOR_MAPS_DIR", None)
    with serving("--registry", str(other), "serve", env=env) as (base, _lines):
        served = list((tmp_path / "cache").glob("maps-*"))
        assert len(served) == 1 and len(served[0].name) == len("maps-") + 12
        wait_built_from(served[0], other)
        page = httpx.get(f"{base}/maps/index.html")
        assert page.status_code == 200
        data = next((served[0] / "assets").glob("data-index.*.js")).name
        assert "新站点乙" in httpx.get(f"{base}/maps/assets/{data}").text
    assert {p: p.read_bytes() for p in (REPO / "maps").rglob("*") if p.is_file()} == committed

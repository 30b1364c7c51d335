"""Packaging: the wheel carries the map assets, the holiday table and the shipped stations, and a
fresh venv outside the repository runs validate, nearest, build-maps and serve from it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO


def test_every_python_package_and_data_file_is_configured() -> None:
    conf = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(conf["packages"])
    packages = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "locator").rglob("__init__.py")}
    on_disk = packages | {"locator.maps.static", "locator.maps.vendor", "locator._data"}
    assert listed == on_disk
    assert conf["package-dir"] == {"locator._data": "data"}
    assert sorted(conf["package-data"]["locator._data"]) == ["*.csv", "*.geojson"]


def _run(cmd: list[str | Path], **kw: object) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r  # type: ignore[no-any-return]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_outside_the_repository(tmp_path: Path) -> None:
    src = tmp_path / "src"  # build from a copy: nothing is left behind in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for folder in ("locator", "data"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, src])
    (wheel,) = wheels.glob("locator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "locator/_data/stations.geojson",
        "locator/_data/holidays_cn.csv",
        "locator/maps/static/app.js",
        "locator/maps/vendor/leaflet@1.9.4/LICENSE",
        "locator/maps/vendor/supercluster@8.0.1/LICENSE",
        "locator/maps/vendor/leaflet.fullscreen@3.0.2/LICENSE",
    ):
        assert shipped in names
    data = {f"locator/_data/{p.name}" for p in (REPO / "data").iterdir() if p.suffix in (".geojson", ".csv")}
    assert data <= names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    _run([venv / "bin/python", "-m", "pip", "install", "-q", "-c", REPO / "requirements.lock", wheel])
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCATOR_", "PYTHON", "VIRTUAL_ENV"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # empty: the first command makes the default store
    exe = venv / "bin/locator"
    site = next((venv / "lib").glob("python3*/site-packages/locator"))
    installed = sorted(p for p in site.rglob("*") if "__pycache__" not in p.parts)

    r = _run([exe, "validate"], cwd=work, env=env)
    store = tmp_path / "data" / "locator" / "registry.sqlite"
    assert f"created the registry store {store} from the shipped data (8 stations of {site / '_data'}" in r.stderr
    assert f"{store}: 8 valid station(s), 0 error(s)" in r.stderr
    r = _run([exe, "nearest", "39.95", "116.38"], cwd=work, env=env)
    assert r.stdout.count("\n") >= 5
    shipped = site / "_data" / "stations.geojson"
    r = _run([exe, "build-maps", "--registry", shipped, "--out", tmp_path / "maps"], cwd=work, env=env)
    built = {p.relative_to(tmp_path / "maps"): p.read_bytes() for p in (tmp_path / "maps").rglob("*") if p.is_file()}
    committed = {p.relative_to(REPO / "maps"): p.read_bytes() for p in (REPO / "maps").rglob("*") if p.is_file()}
    assert built == committed  # same pinned versions, same pages

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--quiet"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        ok: set[str] = set()
        while ok != {"/healthz", "/maps/index.html"}:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            for path in ("/healthz", "/maps/index.html"):
                try:
                    if httpx.get(base + path, timeout=2).status_code == 200:
                        ok.add(path)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert list((tmp_path / "cache" / "locator").glob("maps-*/index.html"))
    assert sorted(p for p in site.rglob("*") if "__pycache__" not in p.parts) == installed  # nothing written there

"""The one settings object: read at the edge (locator.settings) from flags over the environment,
passed down; a bad value is one line naming the flag or the variable; `serve --workers N` hands
its settings to the workers as one value."""

from __future__ import annotations

import argparse
import ast
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from locator.api.settings import ApiSettings
from locator.errors import InvalidParameter
from locator.settings import VARIABLES, WORKER_VARIABLE, read_settings
from tests.conftest import REPO, stop, wait_healthy

PACKAGE = REPO / "locator"


def _touches_environment(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "putenv", "unsetenv"):
            found.append(f"os.{node.attr} (line {node.lineno})")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"from os import {a.name}" for a in node.names if a.name in ("environ", "getenv", "putenv")]
    return found


def test_only_the_settings_module_touches_the_environment() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "settings.py":
            continue
        found = _touches_environment(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}
    assert _touches_environment(ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8")))  # the check bites


def test_flags_win_over_variables_and_defaults_apply(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "LOCATOR_REGISTRY": str(tmp_path / "env.sqlite"),
        "LOCATOR_PUBLIC_URL": "https://Stations.Example.cn/",
        "LOCATOR_RELOAD_INTERVAL": "0",
        "LOCATOR_TELEMETRY": "yes",
        "LOCATOR_TIANDITU_KEY": "k1",
    }
    s = read_settings(env)
    assert s.registry == str(tmp_path / "env.sqlite") and s.public_url == "https://stations.example.cn"
    assert (s.reload_interval_s, s.telemetry, s.tianditu_key, s.header_timeout_s) == (0.0, True, "k1", 10.0)
    assert s.cache_dir == tmp_path / "home" / ".cache" / "locator" and s.maps_dir is None
    assert s.default_registry == str(tmp_path / "home" / ".local" / "share" / "locator" / "registry.sqlite")
    flags = argparse.Namespace(registry="x.geojson", public_url="http://127.0.0.1:9", reload_interval="2", maps="m")
    s = read_settings(env, flags)
    assert (s.registry, s.public_url, s.reload_interval_s) == ("x.geojson", "http://127.0.0.1:9", 2.0)
    assert s.maps_dir == Path("m").resolve() and not s.is_default_store(s.registry)
    assert read_settings({"HOME": str(tmp_path)}).telemetry is False


@pytest.mark.parametrize(
    ("var", "value", "says"),
    [
        ("LOCATOR_RELOAD_INTERVAL", "abc", "is not a number of seconds"),
        ("LOCATOR_RELOAD_INTERVAL", "-1", "must be 0 (off) to 3600 seconds"),
        ("LOCATOR_PUBLIC_URL", "ftp://stations.example.cn", "must look like https://"),
        ("LOCATOR_PUBLIC_URL", "https://stations.example.cn/app", "origin only"),
        ("LOCATOR_HEADER_TIMEOUT", "0", "more than 0"),
        ("LOCATOR_TELEMETRY", "maybe", "must be 1 or 0"),
    ],
)
def test_a_bad_variable_is_named(var: str, value: str, says: str) -> None:
    with pytest.raises(InvalidParameter) as err:
        read_settings({var: value})
    assert err.value.name == var and says in err.value.reason
    if var != "LOCATOR_TELEMETRY":  # (--telemetry takes no value)
        with pytest.raises(InvalidParameter) as err:  # the same value through the flag names the flag
            read_settings({}, argparse.Namespace(**{var.removeprefix("LOCATOR_").lower(): value}))
        assert err.value.name == "--" + var.removeprefix("LOCATOR_").lower().replace("_", "-")


@pytest.mark.parametrize(
    ("var", "value"), [("LOCATOR_RELOAD_INTERVAL", "abc"), ("LOCATOR_PUBLIC_URL", "ftp://stations.example.cn")]
)
def test_cli_says_one_line_naming_the_variable(var: str, value: str) -> None:
    for args in (["serve", "--port", "18139"], ["validate"]):
        env = {**os.environ, var: value}
        r = subprocess.run(
            [sys.executable, "-m", "locator", *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 2, r.stderr
        assert r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
        assert r.stderr.startswith(f"locator {args[0]}: error: {var}: {value!r}"), r.stderr


def test_api_settings_travel_as_one_value(tmp_path: Path) -> None:
    s = ApiSettings(tmp_path / "r.sqlite", tmp_path / "h.csv", tmp_path / "maps", 0.5, True, public_url="https://a.cn")
    assert ApiSettings.from_json(s.to_json()) == s
    for broken in ("{", "[]", '{"registry": "x"}'):
        with pytest.raises(InvalidParameter) as err:
            ApiSettings.from_json(broken)
        assert err.value.name == WORKER_VARIABLE


def test_readme_documents_every_variable_once() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(rows) == sorted(VARIABLES)
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"\b(LOCATOR_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    assert used - {"LOCATOR_DATA", "LOCATOR_PAGE", "LOCATOR_APP"} <= set(VARIABLES)  # the rest are page globals


def test_workers_get_the_settings_from_the_environment(tmp_path: Path) -> None:
    """`serve --workers 2` with its settings in variables: both workers use the public URL and the
    header timeout (bound into the protocol each worker process builds)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {
        **os.environ,
        "LOCATOR_PUBLIC_URL": "https://stations.example.cn",
        "LOCATOR_HEADER_TIMEOUT": "1",
        "LOCATOR_RELOAD_INTERVAL": "0",
        "LOCATOR_MAPS_DIR": str(tmp_path / "maps"),
    }
    env.pop(WORKER_VARIABLE, None)
    cmd = [sys.executable, "-m", "locator", "serve", "--port", str(port), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: proc.stdout.read().decode() if proc.stdout else "", 120)
        workers, deadline = set(), time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            with httpx.Client(base_url=base, timeout=10) as client:  # a new connection: any worker
                workers.add(client.get("/healthz").json()["worker"])
                links = client.get("/collections").json()["links"]
                assert links[0]["href"] == "https://stations.example.cn/collections"
        assert len(workers) == 2
        assert (tmp_path / "maps").is_dir()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:  # sends no headers
            idle.sendall(b"GET /healthz HTTP/1.1\r\n")
            assert idle.recv(100).startswith(b"HTTP/1.1 408")
    finally:
        stop(proc)

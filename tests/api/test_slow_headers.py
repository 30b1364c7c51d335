"""A real `locator serve`: connections that never finish their request headers are closed after
--header-timeout (slowloris), other clients are served meanwhile, and links and redirects use
--public-url whatever Host the client sends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import free_port
from tests.conftest import REPO, stop, wait_healthy

HEADER_TIMEOUT = 2.0
MARGIN = 6.0  # generous: two busy cores
PUBLIC = "https://stations.example.cn"


@pytest.fixture
def served(registry: Path, tmp_path: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "index.html").write_text("<!doctype html><title>map</title>")
    cmd = [sys.executable, "-m", "locator", "--registry", str(registry), "serve", "--port", str(port)]
    cmd += ["--maps", str(maps), "--quiet", "--header-timeout", str(HEADER_TIMEOUT), "--public-url", PUBLIC]
    env = {k: v for k, v in os.environ.items() if k != "LOCATOR_PUBLIC_URL"}
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, lambda: proc.stdout.read().decode() if proc.stdout else "", 60)
        yield base, port
    finally:
        stop(proc)


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; socket.timeout if it never does."""
    sock.settimeout(HEADER_TIMEOUT + MARGIN)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


@pytest.mark.parametrize("sent", [b"GET /nearest?lat=39.95&lo", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1", b""])
def test_incomplete_headers_are_closed_after_the_timeout(served: tuple[str, int], sent: bytes) -> None:
    base, port = served
    with socket.create_connection(("127.0.0.1", port)) as slow:
        if sent:
            slow.sendall(sent)
        # meanwhile another client is served normally
        r = httpx.get(f"{base}/nearest", params={"lat": 39.95, "lon": 116.38, "k": 1}, timeout=5)
        assert r.status_code == 200 and r.json()["features"][0]["id"] == "a-office"
        try:
            answer = _read_until_closed(slow)
        except TimeoutError:
            pytest.fail(f"connection still open {HEADER_TIMEOUT + MARGIN} s after sending {sent!r}")
    assert answer.startswith(b"HTTP/1.1 408 ")


def _read_response(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    """One response (headers + Content-Length body) and what follows it."""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, rest[length:]


def test_keep_alive_connection_serves_several_requests(served: tuple[str, int]) -> None:
    """The timer bounds the headers, not the connection: complete requests on one connection go on."""
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(10)
        buffer = b""
        for _ in range(3):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head, buffer = _read_response(sock, buffer)
            assert head.startswith(b"HTTP/1.1 200 "), head[:100]
            time.sleep(HEADER_TIMEOUT * 0.6)  # idle between requests: the keep-alive timeout's business


def test_host_header_never_reaches_links_or_redirects(served: tuple[str, int]) -> None:
    base, _ = served
    evil = {"host": "evil.example", "accept": "application/json"}
    with httpx.Client(base_url=base, timeout=5, follow_redirects=False) as c:
        landing = c.get("/", headers=evil)
        assert landing.status_code == 200 and "evil.example" not in landing.text
        assert {link["href"] for link in landing.json()["links"]} >= {f"{PUBLIC}/conformance", f"{PUBLIC}/"}
        items = c.get("/collections/stations/items", params={"limit": 1}, headers=evil).json()
        assert all(link["href"].startswith(PUBLIC + "/") for link in items["links"])
        for path in ("/maps", "/stations/"):
            r = c.get(path, headers=evil)
            assert r.status_code in (301, 307, 308)
            assert r.headers["location"].startswith((PUBLIC + "/", "/")), r.headers["location"]
        # X-Forwarded-Host is not trusted either
        r = c.get("/collections", headers={**evil, "x-forwarded-host": "evil.example", "x-forwarded-proto": "http"})
        assert "evil.example" not in r.text and f"{PUBLIC}/collections" in r.text

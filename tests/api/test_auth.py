"""The Bearer-token dependency every write endpoint uses (locator/api/auth.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from locator.api.app import create_app
from locator.api.auth import Admin, Attempts, Editor
from locator.api.settings import ApiSettings
from locator.holidays import DEFAULT_HOLIDAYS
from locator.store import create_store
from locator.store.tokens import new_token, token_hash
from tests.conftest import station


@pytest.fixture
def app_and_tokens(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    path = tmp_path / "reg.sqlite"
    store, _ = create_store(path, [station("a", 116.4, 39.9)], by="init", why="test")
    tokens = {}
    for name, role in (("ed", "editor"), ("ad", "admin"), ("gone", "editor")):
        tokens[name] = new_token()
        store.add_user(name, role, token_hash(tokens[name]))  # type: ignore[arg-type]
    store.revoke_user("gone")
    settings = ApiSettings(registry=path, holidays=DEFAULT_HOLIDAYS, maps_dir=tmp_path / "maps", reload_interval_s=0)
    app = create_app(settings)

    @app.get("/_editor")
    def as_editor(user: Editor) -> dict[str, str]:
        return {"name": user.name}

    @app.get("/_admin")
    def as_admin(user: Admin) -> dict[str, str]:
        return {"name": user.name}

    with TestClient(app) as client:
        yield client, tokens


def _get(client: TestClient, path: str, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    r = client.get(path, headers=headers)
    return r.status_code, r.json()


def test_roles_and_tokens(app_and_tokens: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = app_and_tokens
    assert _get(client, "/_editor", tokens["ed"]) == (200, {"name": "ed"})
    assert _get(client, "/_editor", tokens["ad"]) == (200, {"name": "ad"})  # admin includes editor
    assert _get(client, "/_admin", tokens["ad"]) == (200, {"name": "ad"})
    status, body = _get(client, "/_admin", tokens["ed"])
    assert (status, body["code"], body["parameter"]) == (403, "forbidden", "Authorization")
    for token in (None, tokens["gone"], "not-a-token", ""):
        status, body = _get(client, "/_editor", token)
        assert (status, body["code"]) == (401, "unauthorized"), token
    r = client.get("/_editor")
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_guessing_is_slowed_per_address(app_and_tokens: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = app_and_tokens
    for _ in range(10):
        assert _get(client, "/_editor", "guess")[0] == 401
    r = client.get("/_editor", headers={"Authorization": f"Bearer {tokens['ed']}"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["code"] == "too_many_attempts"


def test_attempts_window_passes() -> None:
    a = Attempts(max_failures=2, window_s=10)
    a.failed("x", now=0)
    a.failed("x", now=1)
    assert a.retry_after("x", now=2) == 9
    assert a.retry_after("y", now=2) is None
    assert a.retry_after("x", now=10.5) is None

"""Registry files: location rules, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from locator.registry import DEFAULT_REGISTRY, load_registry, registry_path, save_registry
from tests.conftest import station


def test_location_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOCATOR_REGISTRY", str(tmp_path / "env.geojson"))
    assert registry_path() == DEFAULT_REGISTRY  # the environment is read at the edge (locator.where)
    assert registry_path(tmp_path / "arg.geojson") == tmp_path / "arg.geojson"


def test_crash_during_write_leaves_the_old_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "reg.geojson"
    save_registry(path, [station("a")])
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save_registry(path, [station("a"), station("b", 116.4)])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["reg.geojson"]  # no temporary file left behind


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    s = station("a", note="备注", phone="010-12351", opening_hours=None, status="temporarily_closed")
    path = tmp_path / "r.geojson"
    save_registry(path, [s])
    reg = load_registry(path)
    assert reg.stations == [s]
    assert len(reg.version) == 16

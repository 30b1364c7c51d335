"""A serving worker that follows a store frees each Locator it replaces as soon as no request
holds it: by reference counting, not at some later full pass of the cyclic GC (which let
hundreds of MB of replaced indexes pile up at 10⁶ stations)."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from locator.api.holder import LocatorHolder
from locator.holidays import DEFAULT_HOLIDAYS
from locator.service import Locator
from locator.store import Change, Store, create_store, open_store
from tests.conftest import station

STATIONS = [station(f"s-{i}", 116.3 + i / 100, 39.9 + i / 200, name=f"站{i}") for i in range(20)]


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def rename(store: Store, sid: str, name: str) -> int:
    cur = store.get(sid)
    assert cur is not None
    res = store.commit([Change(sid, dataclasses.replace(cur.station, name=name), "edit")], by="tester", why="test")
    assert res.latest is not None
    return res.latest


def use(loc: Locator) -> None:
    """What requests do with a Locator: every view of its registry, by position and by id."""
    assert loc.nearest(39.9, 116.3, k=3).hits
    assert [s.id for s in loc.stations[:2]] == ["s-0", "s-1"]
    assert loc.registry.get("s-3").id == "s-3"
    assert loc.select(include_closed=True)


def test_an_applied_locator_frees_the_one_it_replaced_without_the_cyclic_gc(tmp_path: Path, no_cyclic_gc: None) -> None:
    store, _ = create_store(tmp_path / "reg.sqlite", STATIONS, by="init", why="test")
    try:
        loc = Locator.from_store(store)
        replaced: list[weakref.ref[Locator]] = []
        for i in range(5):
            use(loc)
            rename(store, f"s-{i}", f"改名{i}")
            fresh = loc.apply(store.changes(loc.seq, 100))
            assert fresh.registry.get(f"s-{i}").name == f"改名{i}"
            replaced.append(weakref.ref(loc))
            loc = fresh
        use(loc)
        assert [r() for r in replaced] == [None] * 5
    finally:
        store.close()


def test_the_holder_frees_each_locator_it_swaps_out_while_following(tmp_path: Path, no_cyclic_gc: None) -> None:
    reg = tmp_path / "reg.sqlite"
    create_store(reg, STATIONS, by="init", why="test")[0].close()
    holder = LocatorHolder(reg, DEFAULT_HOLIDAYS)
    writer = open_store(reg)
    try:
        replaced = []
        for i in range(3):
            use(holder.current)
            seq = rename(writer, f"s-{i}", f"改名{i}")
            replaced.append(weakref.ref(holder.current))
            assert holder.follow()
            assert holder.current.seq == seq and holder.current.registry.get(f"s-{i}").name == f"改名{i}"
        assert [r() for r in replaced] == [None] * 3
    finally:
        writer.close()
        if holder.store is not None:
            holder.store.close()

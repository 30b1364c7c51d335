"""Replaying the change feed from 0 reproduces the registry, on random edit sequences.

Random creates, edits, moves, closes, deletes, re-creations, multi-station change sets and
change sets that must fail (and roll back) go through `store.commit`; a model kept by the test
says what each revision changed, so `changed_fields` is checked against the test's own intent.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.errors import RegistryInvalid, StationNotFound
from locator.model import Station
from locator.store import Change, SqliteStore
from locator.store.features import changed_fields, to_json
from tests.conftest import station

IDS = [f"s{i}" for i in range(5)]
ALL = "all"  # a create or delete changes every field present

op = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(IDS)),
    st.tuples(st.just("edit"), st.sampled_from(IDS), st.integers(0, 3)),
    st.tuples(st.just("hours"), st.sampled_from(IDS), st.sampled_from(["24/7", "Mo-Fr 08:00-18:00"])),
    st.tuples(st.just("move"), st.sampled_from(IDS), st.integers(-3, 3)),
    st.tuples(st.just("close"), st.sampled_from(IDS)),
    st.tuples(st.just("delete"), st.sampled_from(IDS)),
    st.tuples(st.just("multi"), st.lists(st.sampled_from(IDS), min_size=2, max_size=4, unique=True), st.integers(0, 9)),
    st.tuples(st.just("fail"), st.sampled_from(IDS), st.booleans()),
)


def fresh(sid: str) -> Station:
    return station(sid, 116.3 + IDS.index(sid) / 100)


def plan(model: dict[str, Station], step: tuple[object, ...]) -> list[tuple[Change, object]]:
    """The change set for one step, each change with the fields it is meant to change."""
    kind, sid = step[0], step[1]
    if kind == "multi":
        assert isinstance(sid, list)
        return [c for s in sid for c in plan(model, ("edit", s, step[2]))]
    assert isinstance(sid, str)
    cur = model.get(sid)
    if cur is None or kind == "create":
        return [] if cur is not None else [(Change(sid, fresh(sid), "create", expect="new"), ALL)]
    if kind == "edit":
        return [(Change(sid, dataclasses.replace(cur, name=f"站点 {sid} v{step[2]}"), "edit"), ["name"])]
    if kind == "hours":
        return [(Change(sid, dataclasses.replace(cur, opening_hours=str(step[2])), "edit"), ["opening_hours"])]
    if kind == "move":
        assert isinstance(step[2], int)
        return [(Change(sid, dataclasses.replace(cur, lon=cur.lon + step[2] / 1000), "move"), ["geometry"])]
    if kind == "close":
        return [(Change(sid, dataclasses.replace(cur, status="closed"), "close"), ["status"])]
    return [(Change(sid, None, "delete"), ALL)]


def doomed(model: dict[str, Station], sid: str, clash: bool) -> list[Change]:
    """A change set that must fail as a whole: a good change followed by a bad one."""
    good = Change(sid, dataclasses.replace(model[sid], note="never seen"), "edit") if sid in model else None
    good = good or Change(sid, fresh(sid), "create")
    if clash:  # an id differing only in case from one already there (or created just before)
        return [good, Change(sid.upper(), station(sid.upper(), 116.9), "create")]
    return [good, Change("missing", None, "delete")]


def run(steps: list[tuple[object, ...]], store: SqliteStore) -> None:
    model: dict[str, Station] = {}
    meant: dict[str, list[object]] = {}  # per station, what each of its revisions should change
    for step in steps:
        if step[0] == "fail":
            head = store.head()
            with pytest.raises((RegistryInvalid, StationNotFound)):
                store.commit(doomed(model, str(step[1]), bool(step[2])), by="t", why="doomed")
            assert store.head() == head
            continue
        changes = plan(model, step)
        res = store.commit([c for c, _ in changes], by="t", why=str(step[0]))
        for change, fields in changes:
            before = model.get(change.station_id)
            if change.after is not None and before is not None and to_json(before) == to_json(change.after):
                assert change.station_id in res.unchanged
                continue
            meant.setdefault(change.station_id, []).append(fields)
            if change.after is None:
                del model[change.station_id]
            else:
                model[change.station_id] = change.after

    feed = store.changes(0, 1_000_000)
    assert [r.seq for r in feed] == list(range(1, len(feed) + 1))
    replayed: dict[str, object] = {}
    for r in feed:
        if r.feed_op == "delete":
            del replayed[r.station_id]
        else:
            assert r.after is not None
            replayed[r.station_id] = orjson.loads(r.after)
    assert replayed == {s.id: orjson.loads(to_json(s)) for s in store.stations()}
    assert replayed == {sid: orjson.loads(to_json(s)) for sid, s in model.items()}

    for sid, wanted in meant.items():
        hist = store.history(sid)
        assert [h.rev for h in hist] == list(range(1, len(wanted) + 1))
        for h, fields in zip(hist, wanted, strict=True):
            side = h.after or h.before
            assert side is not None
            if fields == ALL:
                fields = [*orjson.loads(side)["properties"], "geometry"]
                assert sorted(changed_fields(h.before, h.after)) == sorted(fields)
            else:
                assert changed_fields(h.before, h.after) == fields


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=30))
def test_replaying_the_feed_from_zero_reproduces_the_registry(steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "r.sqlite", create=True)
        try:
            run(steps, store)
        finally:
            store.close()

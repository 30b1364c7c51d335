"""Columns of a store: ids found by binary search (bytewise order, any script), lazy records."""

from __future__ import annotations

from pathlib import Path

from locator.columns import StoreSource, load_columns
from locator.store import Change, create_store
from tests.conftest import station


def test_ids_are_found_in_any_script_and_records_are_the_stored_ones(tmp_path: Path) -> None:
    ids = ["b", "a-2", "东城-01", "B-1", "a", "zz", "é", "a-10"]
    sts = [station(sid, 116.3 + i * 0.01, opening_hours="24/7" if i % 2 else None) for i, sid in enumerate(ids)]
    store, _ = create_store(tmp_path / "r.sqlite", sts, by="init", why="start")
    cols = load_columns(store, snapshot=False)
    assert [cols.find(i) for i in ids] == list(range(len(ids)))
    assert cols.find("东城") is None and cols.find("") is None and cols.find("zzz") is None
    assert [cols.id_at(p) for p in range(len(cols))] == ids
    assert cols.exprs == ["24/7"] and cols.expr_id.tolist() == [-1, 0] * 4
    src = StoreSource(store, cols)
    store.commit([Change("东城-01", None, "delete")], by="t", why="gone")
    assert src.at(2) == sts[2]  # as it was at the columns' seq, from the log
    assert [src.at(p) for p in range(len(ids))] == sts

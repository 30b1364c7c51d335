"""A store's stations as columns: numpy arrays, no Python object per station.

Loading 10⁶ stations as `Station` objects costs ~28 s and ~0.8 GB, two thirds of it building the
objects (cProfile, bench/bench_store.py). The index needs only coordinates, filter codes and an
hours-expression id per station, so those are read as columns; a station's full record is built
when a response needs it (`StoreSource.at`, from the store by rowid, with a small LRU).

The columns of a store at change `seq` are kept as a snapshot of `.npy` files beside the store
(`SNAPSHOT_SUFFIX`), memory-mapped read-only: a second start, and every worker of one server,
load them in well under a second and share their pages through the OS page cache. A snapshot is
named by the log's revision at its seq (`head_mark`), so a restored older store never uses it; a
Locator loaded from it catches up with `changes(since=seq)`. Ids are kept as one UTF-8 blob with
offsets, plus the positions in id order, so finding an id is a binary search.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from locator.model import Station
from locator.store import Store
from locator.store.features import station_from_json

SNAPSHOT_SUFFIX: Final = ".columns"
_ARRAYS: Final = (
    "rowid",
    "lon",
    "lat",
    "amenities",
    "type_code",
    "status_code",
    "expr_id",
    "id_blob",
    "id_off",
    "by_id",
)
_LRU: Final = 32_768  # stations kept built (~1 KB each): a busy area's working set fits


@dataclass(frozen=True)
class Columns:
    """The stations at change `seq`, in registry order (position = index)."""

    seq: int
    rowid: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    amenities: NDArray[np.uint64]
    type_code: NDArray[np.int8]
    status_code: NDArray[np.int8]
    expr_id: NDArray[np.int32]  # into `exprs`; -1 = unknown hours
    exprs: list[str]
    id_blob: NDArray[np.uint8]  # every id's UTF-8 bytes, in registry order
    id_off: NDArray[np.int64]  # id i is id_blob[id_off[i]:id_off[i + 1]]
    by_id: NDArray[np.int32]  # positions in id (bytewise) order
    folder: Path | None = None  # the snapshot folder they were read from or saved to

    def __len__(self) -> int:
        return int(self.rowid.size)

    def id_at(self, pos: int) -> str:
        return bytes(self.id_blob[self.id_off[pos] : self.id_off[pos + 1]]).decode()

    def find(self, station_id: str) -> int | None:
        """The position of an id, or None (binary search over the id order)."""
        key = station_id.encode()
        lo, hi = 0, int(self.by_id.size)
        blob, off, order = self.id_blob, self.id_off, self.by_id
        while lo < hi:
            mid = (lo + hi) // 2
            p = int(order[mid])
            if bytes(blob[off[p] : off[p + 1]]) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < order.size:
            p = int(order[lo])
            if bytes(blob[off[p] : off[p + 1]]) == key:
                return p
        return None


def from_rows(seq: int, rows: list[tuple[Any, ...]], rowids_by_id: list[int]) -> Columns:
    """Columns from `Store.columns()` rows: (rowid, id bytes, lon, lat, type, amenities, status, hours)."""
    n = len(rows)
    rowid = np.fromiter((r[0] for r in rows), np.int64, n)
    ids: list[bytes] = [r[1] for r in rows]
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, ids), np.int64, n), out=off[1:])
    hours = [r[7] for r in rows]
    exprs = sorted({h for h in hours if h is not None})
    eid = {e: i for i, e in enumerate(exprs)}
    eid[None] = -1
    return Columns(
        seq=seq,
        rowid=rowid,
        lon=np.fromiter((r[2] for r in rows), np.float64, n),
        lat=np.fromiter((r[3] for r in rows), np.float64, n),
        amenities=np.fromiter((r[5] for r in rows), np.uint64, n),
        type_code=np.fromiter((r[4] for r in rows), np.int8, n),
        status_code=np.fromiter((r[6] for r in rows), np.int8, n),
        expr_id=np.fromiter(map(eid.__getitem__, hours), np.int32, n),
        exprs=exprs,
        id_blob=np.frombuffer(b"".join(ids), dtype=np.uint8),
        id_off=off,
        by_id=np.searchsorted(rowid, np.asarray(rowids_by_id, dtype=np.int64)).astype(np.int32),
    )


def snapshot_dir(store: Store) -> Path | None:
    """Where a file store keeps its columnar snapshots (None for stores without a file)."""
    path = getattr(store, "path", None)
    return Path(path).with_name(Path(path).name + SNAPSHOT_SUFFIX) if path is not None else None


def _name(mark: str) -> str:
    return hashlib.sha256(mark.encode()).hexdigest()[:16]


def _read(folder: Path, store: Store) -> Columns | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
        seq = int(meta["seq"])
        if meta["mark"] != store.head_mark(seq) or folder.name != _name(meta["mark"]):
            return None
        arrays = {a: np.load(folder / f"{a}.npy", mmap_mode="r") for a in _ARRAYS}
        return Columns(seq=seq, exprs=list(meta["exprs"]), folder=folder, **arrays)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(root: Path, cols: Columns, mark: str) -> Path | None:
    """Write a snapshot under a temporary name, rename it into place, drop older ones (a worker
    that still maps an old one keeps its pages: unlinked files live on while mapped)."""
    root.mkdir(exist_ok=True)
    final = root / _name(mark)
    tmp = root / f".{final.name}.{os.getpid()}.part"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for a in _ARRAYS:
        np.save(tmp / f"{a}.npy", np.ascontiguousarray(getattr(cols, a)))
    (tmp / "meta.json").write_text(json.dumps({"seq": cols.seq, "mark": mark, "exprs": cols.exprs}))
    try:
        tmp.rename(final)
    except OSError:  # another process wrote the same snapshot meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    for old in root.iterdir():
        if old.name != final.name and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return final if final.is_dir() else None


def load_columns(store: Store, folder: Path | None = None, *, snapshot: bool = True, behind: int = 0) -> Columns:
    """The store's columns: from its newest valid snapshot when there is one (the caller catches
    up with `changes(since=cols.seq)`) unless it is more than `behind` changes old (0: any age),
    else read from the store and, when `snapshot`, saved for
    the next start. A folder that cannot be written is not an error: the columns are used anyway."""
    root = folder if folder is not None else snapshot_dir(store)
    if snapshot and root is not None and root.is_dir():
        found = [c for d in root.iterdir() if not d.name.startswith(".") and (c := _read(d, store)) is not None]
        best = max(found, key=lambda c: c.seq) if found else None
        if best is not None and (behind <= 0 or store.head() - best.seq <= behind):
            return best
    head, rows, by_id = store.columns()
    cols = from_rows(head, rows, by_id)
    del rows
    if snapshot and root is not None:
        with contextlib.suppress(OSError):
            cols = dataclasses.replace(cols, folder=_write(root, cols, store.head_mark(head)))
    return cols


class StoreSource:
    """Stations of a Columns object, built on demand from the store as they were at `cols.seq`."""

    def __init__(self, store: Store, cols: Columns) -> None:
        self.store, self.cols = store, cols
        self._cache: OrderedDict[int, Station] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.cols)

    def find(self, station_id: str) -> int | None:
        return self.cols.find(station_id)

    def at(self, pos: int) -> Station:
        with self._lock:
            st = self._cache.get(pos)
            if st is not None:
                self._cache.move_to_end(pos)
                return st
        raw = self.store.feature_as_of(int(self.cols.rowid[pos]), self.cols.id_at(pos), self.cols.seq)
        if raw is None:  # pragma: no cover - the log always holds a station's state at the snapshot
            raise LookupError(f"{self.cols.id_at(pos)}: not in the store's log at change {self.cols.seq}")
        st = station_from_json(raw)
        with self._lock:
            self._cache[pos] = st
            if len(self._cache) > _LRU:
                self._cache.popitem(last=False)
        return st

"""The k-d tree of a columnar snapshot, saved beside it so a start does not rebuild it.

Building the cKDTree over 10⁶ stations takes 0.3–0.9 s of each worker's start on this machine;
restoring it from saved arrays takes ~0.03 s. The arrays are the tree's own state
(`cKDTree.__getstate__`: node buffer, points, sizes, bounds, indices), stored as plain `.npy`
files read without pickle, in `tree/` inside the snapshot folder it was built from: a snapshot is
named by the store's revision, so the tree can never describe other stations. Anything
unexpected (a scipy whose state has another shape, a truncated file) means "build it", never
an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Final

import numpy as np
from scipy.spatial import cKDTree

_DIR: Final = "tree"
_ARRAYS: Final = ("nodes", "data", "maxes", "mins", "indices")


def load_tree(folder: Path | None) -> cKDTree | None:
    """The tree saved in snapshot `folder`, else None (the index checks it has its points)."""
    if folder is None:
        return None
    where = folder / _DIR
    try:
        meta = json.loads((where / "meta.json").read_text())
        arrays = {a: np.load(where / f"{a}.npy", allow_pickle=False) for a in _ARRAYS}
        n, m, leafsize = int(meta["n"]), int(meta["m"]), int(meta["leafsize"])
        if arrays["data"].shape != (n, m) or arrays["indices"].shape != (n,):
            return None
        tree: cKDTree = cKDTree.__new__(cKDTree)
        state: tuple[Any, ...] = (
            arrays["nodes"], arrays["data"], n, m, leafsize, arrays["maxes"], arrays["mins"], arrays["indices"],
            None, None,
        )  # fmt: skip
        tree.__setstate__(state)
        return tree
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_tree(folder: Path | None, tree: cKDTree) -> None:
    """Save `tree` into snapshot `folder` (atomically: a temporary folder renamed into place),
    replacing one that could not be loaded. A folder that cannot be written, or a tree whose
    state is not the expected shape, is skipped."""
    if folder is None or not folder.is_dir():
        return
    state = tree.__getstate__()
    if len(state) != 10 or state[8] is not None:  # another scipy layout, or a periodic box
        return
    nodes, data, n, m, leafsize, maxes, mins, indices = state[:8]
    tmp = folder / f".{_DIR}.{os.getpid()}.part"
    with contextlib.suppress(OSError):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, arr in zip(_ARRAYS, (nodes, data, maxes, mins, indices), strict=True):
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        (tmp / "meta.json").write_text(json.dumps({"n": int(n), "m": int(m), "leafsize": int(leafsize)}))
        shutil.rmtree(folder / _DIR, ignore_errors=True)
        tmp.rename(folder / _DIR)
    shutil.rmtree(tmp, ignore_errors=True)

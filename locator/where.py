"""Where the registry lives, and the default store's creation on first use.

One value names the registry for every command: `--registry VALUE`, else `$LOCATOR_REGISTRY`,
else the default store `$XDG_DATA_HOME/locator/registry.sqlite` (`~/.local/share` when
XDG_DATA_HOME is unset). The environment is passed in by the edge (CLI, `serve`), never read here.

The default store is made from the shipped stations the first time a command needs it. It is
built under a temporary name and linked into place, so a reader never sees it half made, a
process killed while making it leaves no store behind, and two processes starting at once both
succeed with one import between them (the second link finds the first one's store and keeps it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from locator.model import Station
from locator.store import create_store, kind_of, open_store
from locator.store.base import StoreError

SHIPPED_WHY = "created from the shipped data"


def default_store(env: Mapping[str, str]) -> str:
    """`$XDG_DATA_HOME/locator/registry.sqlite`; a relative XDG_DATA_HOME is ignored, as the
    XDG specification says."""
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    else:
        home = env.get("HOME")
        base = (Path(home) if home else Path.home()) / ".local" / "share"
    return str(base / "locator" / "registry.sqlite")


def resolve_registry(explicit: str | None, env: Mapping[str, str]) -> str:
    """The registry a command works on: explicit, else LOCATOR_REGISTRY, else the default store."""
    if explicit:
        return explicit
    return env.get("LOCATOR_REGISTRY") or default_store(env)


def is_default(value: str, env: Mapping[str, str]) -> bool:
    return kind_of(value) == "sqlite" and Path(value).absolute() == Path(default_store(env)).absolute()


def _shipped_stations() -> list[Station]:
    from locator.registry import DEFAULT_REGISTRY, load_registry

    return load_registry(DEFAULT_REGISTRY).stations


def ensure_store(value: str, *, may_create: bool, note: Callable[[str], None]) -> str:
    """`value`, once it names something usable. A SQLite store that does not exist is made from
    the shipped stations when `may_create` (the default store; `serve`), else refused with a
    pointer at `locator init`. GeoJSON files and URLs are returned as they are."""
    if kind_of(value) != "sqlite" or Path(value).exists():
        return value
    if not may_create:
        raise StoreError(f"{value}: no store here; create it with `locator init --registry {value}`")
    from locator.registry import DEFAULT_REGISTRY

    stations = _shipped_stations()
    if make_store(Path(value), stations, by="init", why=SHIPPED_WHY):
        note(
            f"created the registry store {value} from the shipped data ({len(stations)} stations of {DEFAULT_REGISTRY})"
        )
    return value


def make_store(path: Path, stations: Iterable[Station], *, by: str, why: str) -> bool:
    """A new store at `path` holding `stations` (one change set), made under a temporary name and
    linked into place. False when another process made the store meanwhile (its store is kept and
    this one is dropped); StoreError when the folder cannot hold it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path.parent}: cannot make the folder ({exc.strerror or exc})") from None
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.new{path.suffix}")
    _remove(tmp)
    try:
        store, _result = create_store(tmp, stations, by=by, why=why)
        store.close()  # the last connection: SQLite folds the WAL back into the file
        try:
            os.link(tmp, path)  # never replaces a store made meanwhile
        except FileExistsError:
            return False
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store ({exc.strerror or exc})") from None
        write_snapshot(path)
        return True
    finally:
        _remove(tmp)


def write_snapshot(path: Path) -> None:
    """Save the columnar snapshot beside a new store, so the first `serve` (every worker) loads
    it in seconds instead of each reading the whole store (locator.columns)."""
    from locator.columns import load_columns

    store = open_store(path)
    try:
        load_columns(store)
    finally:
        store.close()


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)

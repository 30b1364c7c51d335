"""Keeping the pages in step with the registry: build on demand, and a watcher thread for `serve`.

Stale means the build manifest (manifest.py) differs from what a build now would record: decided
by content (a file's digest, a store's head change), never by mtime. For a registry file the
watcher polls a cheap stat signature and only on a change hashes the files, so touching a file
rebuilds nothing and restoring an old one rebuilds. For a store (store_watch.py) it polls the
store's head and rebuilds only the pages a change touched. It runs in the `locator serve`
process itself (not in each worker), so several workers never rebuild the same pages at once.
A failed build is logged and leaves the pages as they were.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from locator.filelock import file_digest
from locator.holidays import load_holidays
from locator.maps import manifest
from locator.maps.build import Progress, Result, differences, plan, write
from locator.maps.store_maps import StoreMaps
from locator.registry import load_registry
from locator.store import kind_of, open_store

log = logging.getLogger("locator.maps")


def build_maps(
    registry: Path,
    holidays: Path,
    out_dir: Path,
    *,
    tianditu_key: str | None = None,
    check: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Build (or with `check`, only compare) every page; RegistryInvalid if the registry is bad,
    StoreError if a store cannot be opened."""
    if kind_of(registry) == "sqlite":
        store = open_store(registry)
        try:
            maps = StoreMaps(store, holidays, out_dir, tianditu_key=tianditu_key)
            return maps.build(check=check, progress=progress)
        finally:
            store.close()
    holidays_digest = file_digest(holidays)  # before reading: a later change is seen as stale
    cal = load_holidays(holidays)
    reg = load_registry(registry)
    made_from = manifest.manifest({"registry_sha256": reg.digest}, holidays_digest, tianditu_key)
    p = plan(reg.stations, cal, reg.version, tianditu_key=tianditu_key, progress=progress, manifest=made_from)
    return differences(out_dir, p) if check else write(out_dir, p)


def is_stale(registry: Path, holidays: Path, out_dir: Path, tianditu_key: str | None = None) -> bool:
    """No pages, or their manifest differs from what a build would record now."""
    if not (out_dir / "index.html").exists():
        return True
    if kind_of(registry) == "sqlite":
        store = open_store(registry)
        try:
            identity = manifest.head_identity(store)
        finally:
            store.close()
    else:
        identity = manifest.file_identity(registry)
    return manifest.recorded(out_dir) != manifest.expected(identity, holidays, tianditu_key)


def _stat_signature(path: Path) -> tuple[int, ...]:
    try:
        st = path.stat()
    except OSError:
        return (0,)
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


class MapsWatcher:
    def __init__(self, registry: Path, holidays: Path, out_dir: Path, tianditu_key: str | None = None) -> None:
        self.args = (registry, holidays, out_dir)
        self.tianditu_key = tianditu_key
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sig = self._signature()

    def _signature(self) -> tuple[tuple[int, ...], ...]:
        return tuple(_stat_signature(p) for p in self.args[:2])

    def stale(self) -> bool:
        return is_stale(*self.args, tianditu_key=self.tianditu_key)

    def build(self) -> None:
        try:
            res = build_maps(*self.args, tianditu_key=self.tianditu_key)
            log.info("maps rebuilt: %d file(s) written, %d removed", len(res.written), len(res.removed))
        except Exception as exc:  # keep serving the previous maps whatever went wrong
            log.error("maps not rebuilt (previous pages kept): %s", exc)

    def _stale_or_log(self) -> bool:
        try:
            return self.stale()
        except OSError as exc:
            log.error("maps not checked: %s", exc)
            return False

    def start(self, interval_s: float, *, build_first: bool = False) -> None:
        """Watch in a thread (interval 0: no watching); `build_first` builds once at once."""

        def loop() -> None:
            if build_first:
                self.build()
            if interval_s <= 0:
                return
            while not self._stop.wait(interval_s):
                sig = self._signature()
                if sig != self._sig:
                    self._sig = sig
                    if self._stale_or_log():
                        self.build()

        self._thread = threading.Thread(target=loop, name="maps-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

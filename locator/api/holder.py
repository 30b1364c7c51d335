"""The live Locator, swapped without downtime when the registry or holiday file changes.

A request reads `holder.current` once and keeps that Locator for its whole life, so a swap never
disturbs a request in flight. A file that fails to load leaves the last good Locator serving;
the error is kept for /healthz and logged.

A GeoJSON registry is reloaded whole when its file changes. A store is followed: every
`FOLLOW_INTERVAL_S` the watcher asks SQLite whether anything was committed (`data_version`, a few
µs), and if so reads the new revisions up to the head it saw and swaps in `Locator.apply` of
them. Each swap covers whole change sets only (`whole_change_sets`), so a request never sees
half of one. Each worker process runs its own watcher on its own connection.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from locator.errors import LocatorError, RegistryInvalid
from locator.holidays import load_holidays
from locator.hours import beijing
from locator.registry import load_registry
from locator.service import Locator
from locator.store import Revision, Store, kind_of, open_store

log = logging.getLogger("locator.reload")

FOLLOW_INTERVAL_S: Final = 0.05  # how often a store is polled for commits (a poll costs µs)
FOLLOW_BATCH: Final = 10_000  # revisions read per query while catching up


@dataclass(frozen=True)
class ReloadError:
    at: dt.datetime
    message: str
    problems: list[str]


def _signature(paths: tuple[Path, ...]) -> tuple[tuple[int, int, int], ...]:
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            out.append((0, -1, 0))
    return tuple(out)


def _settle() -> None:
    """Freeze the live registry out of the cyclic GC, after letting the previous one go.

    The registry is read-only once loaded: frozen, its millions of objects stay out of the GC's
    full passes, which otherwise stall requests for tens of milliseconds. Frozen objects are
    never collected, so the previous freeze is undone first; otherwise every replaced registry
    that sits in a reference cycle would stay in memory for good. (A Locator holds no reference
    cycle, so the ones replaced by following a store are freed without a full collection.)
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def whole_change_sets(store: Store, since: int, target: int, limit: int = FOLLOW_BATCH) -> Iterator[list[Revision]]:
    """The revisions after `since` up to `target` (a head read earlier, so a change-set boundary),
    in lists of at most about `limit` that each end where a change set ends. A change set longer
    than `limit` is read on until it is complete and comes as one list."""
    carry: list[Revision] = []
    while since < target:
        batch = [r for r in store.changes(since, limit) if r.seq <= target]
        if not batch:
            return  # cannot happen for a committed head; never hand out a partial change set
        since = batch[-1].seq
        rows = carry + batch
        if since >= target:
            yield rows
            return
        cut = len(rows)
        while cut and rows[cut - 1].changeset == rows[-1].changeset:
            cut -= 1
        if cut:
            yield rows[:cut]
        carry = rows[cut:]


class LocatorHolder:
    def __init__(self, registry: Path, holidays: Path) -> None:
        self.registry_path = registry
        self.holidays_path = holidays
        self.store: Store | None = open_store(registry) if kind_of(registry) != "geojson" else None
        # a store is followed through its log; only the holiday table is watched as a file
        self._paths = (holidays,) if self.store is not None else (registry, holidays)
        self._signature = _signature(self._paths)
        self._data_version: int | None = None  # per connection: the watcher thread reads its own
        self._swap = threading.Lock()
        self.current = self._build()
        _settle()
        self.loaded_at = beijing()
        self.last_error: ReloadError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listeners: list[Callable[[Locator], object]] = []  # run after a successful swap

    def _build(self) -> Locator:
        calendar = load_holidays(self.holidays_path)
        if self.store is not None:
            return Locator.from_store(self.store, calendar)
        return Locator(load_registry(self.registry_path), calendar)

    def _swapped(self, fresh: Locator, what: str) -> None:
        self.current = fresh
        self.loaded_at = beijing()
        self.last_error = None
        log.info("%s: version %s, %d stations", what, fresh.registry.version, len(fresh.stations))
        for listener in self.listeners:
            listener(fresh)

    def check(self) -> bool:
        """Reload if a watched file changed; True when a new Locator was swapped in."""
        sig = _signature(self._paths)
        if sig == self._signature:
            return False
        self._signature = sig
        try:
            with self._swap:
                fresh = self._build()
                self._swapped(fresh, "registry reloaded")
        except RegistryInvalid as exc:
            errors = [str(p) for p in exc.problems if not p.warning]
            self.last_error = ReloadError(beijing(), str(exc), errors[:50])
            # exc.source names the file at fault: the registry or the holiday table
            log.error("reload failed, still serving version %s: %s", self.current.registry.version, exc)
            for line in errors[:20]:
                log.error("  %s", line)
            return False
        except (OSError, ValueError, LocatorError) as exc:
            self.last_error = ReloadError(beijing(), f"{type(exc).__name__}: {exc}", [])
            log.error("registry reload failed, still serving version %s: %s", self.current.registry.version, exc)
            return False
        _settle()
        return True

    def follow(self) -> bool:
        """Apply what was committed to the store since the served `seq`; True when swapped."""
        store = self.store
        if store is None:
            return False
        version = store.data_version()
        if version == self._data_version:
            return False
        self._data_version = version  # read first: a commit from now on changes it again
        target = store.head()
        swapped = False
        with self._swap:
            try:
                for batch in whole_change_sets(store, self.current.seq, target):
                    self.current = self.current.apply(batch)
                    swapped = True
            except (OSError, ValueError, LocatorError) as exc:
                self.last_error = ReloadError(beijing(), f"{type(exc).__name__}: {exc}", [])
                self._data_version = None  # try again at the next poll
                log.error("following the store failed, still serving seq %d: %s", self.current.seq, exc)
            if swapped:
                self._swapped(self.current, "store followed")
        return swapped

    def start(self, interval_s: float) -> None:
        """Watch in a thread: the holiday table (and a GeoJSON registry) every `interval_s`, a
        store every FOLLOW_INTERVAL_S."""
        if self._thread is not None:
            return
        poll = min(FOLLOW_INTERVAL_S, interval_s) if self.store is not None else interval_s

        def loop() -> None:
            next_check = time.monotonic() + interval_s
            try:
                while not self._stop.wait(poll):
                    try:
                        self.follow()
                        if time.monotonic() >= next_check:
                            next_check = time.monotonic() + interval_s
                            self.check()
                    except Exception:  # never let the watcher die
                        log.exception("registry watcher failed")
                        time.sleep(interval_s)
            finally:
                if self.store is not None:
                    self.store.close()  # this thread's connection

        self._thread = threading.Thread(target=loop, name="registry-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

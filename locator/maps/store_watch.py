"""The serve-time follower of a store's pages: polls the store's head change (a µs query), waits
for a burst of edits to settle (debounce), then rebuilds only what changed
(store_maps.StoreMaps.update). A change of the holiday table rebuilds everything. A failed
rebuild is logged, leaves the previous pages, and is retried in full at the next change.

It runs in a child process of its own at the lowest CPU priority (nice 19, SCHED_BATCH), started
`start_delay_s` after `serve`: the all-stations page is rebuilt whole at every update (O(n): seconds
at 10⁶ stations), and a full build holds every station in memory. In a thread of the serving
process it competed with the workers for the CPU (and, with one worker, for the GIL), which
stretched their start and their answers during edits; at the lowest priority a worker that wakes
for a request takes the CPU from it at once. (Not SCHED_IDLE: on a busy machine that starves the
pages for minutes.) Its memory is its own and is given back when it ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from locator.maps.store_maps import StoreMaps

# The maps modules (folium, the store) are imported in the follower process only: `serve`
# imports this module before it starts its workers.

log = logging.getLogger("locator.maps")

DEBOUNCE_S = 1.0
#: a steady stream of edits is built at least this often
MAX_DELAY_S = 5.0
#: the workers load first: they answer within seconds, the pages may follow later
START_DELAY_S = 2.0


def _mtime_signature(path: Path) -> tuple[int, ...]:
    try:
        st = path.stat()
    except OSError:
        return (0,)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _name_process(name: bytes) -> None:
    """Show the follower as `locator-maps` in top and ps (Linux prctl PR_SET_NAME)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)


def lower_priority() -> None:
    """Give way to every other process: nice 19, and on Linux SCHED_BATCH (never preempts a
    process that wakes up)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


class _Follower:
    """The loop of the child process: builds or loads the pages, then follows the store."""

    def __init__(
        self, registry: Path, maps: StoreMaps, stop: Event, done: Synchronized[int], debounce_s: float
    ) -> None:
        self.registry, self.maps, self.store = registry, maps, maps.store
        self.stop, self.done, self.debounce_s = stop, done, debounce_s

    def stopped(self, wait_s: float) -> bool:
        """Wait; True when told to stop."""
        return self.stop.wait(wait_s)

    def run(self, full: bool) -> None:
        """One rebuild (full, or of what changed); errors are logged, the next change retries in full."""
        maps = self.maps
        try:
            res = maps.build() if full or maps.built is None else maps.update()
            if res is not None:
                what = "rebuilt" if full else "updated"
                log.info("maps %s: %d file(s) written, %d removed", what, len(res.written), len(res.removed))
            self.done.value = maps.built.seq if maps.built else -1
        except Exception as exc:  # keep serving the previous maps whatever went wrong
            maps.built = None
            log.error("maps not rebuilt (previous pages kept): %s", exc)

    def settle(self, head: int) -> int:
        """Wait until the head stays put for `debounce_s` (at most MAX_DELAY_S); the last head seen."""
        started = last_move = time.monotonic()
        while not self.stopped(min(self.debounce_s, 0.1)):
            now_head = self.store.head()
            now = time.monotonic()
            if now_head != head:
                head, last_move = now_head, now
            if now - last_move >= self.debounce_s or now - started >= MAX_DELAY_S:
                break
        return head

    def follow(self, interval_s: float, holidays: Path) -> None:
        maps, store = self.maps, self.store
        seen = maps.built.seq if maps.built else -1
        signature = _mtime_signature(holidays)
        while not self.stopped(interval_s):
            try:
                head = store.head()
            except Exception as exc:
                log.error("store not read: %s", exc)
                continue
            sig = _mtime_signature(holidays)
            if sig != signature:
                from locator.maps.live import is_stale

                signature = sig
                if is_stale(self.registry, holidays, maps.out_dir, maps.tianditu_key):
                    self.run(full=True)
                    seen = store.head()
                    continue
            if head != seen:
                seen = self.settle(head)
                self.run(full=False)
                seen = maps.built.seq if maps.built else seen


def _exit_when_orphaned(parent: int) -> None:
    """Leave as soon as `serve` is gone (killed with -9, it cannot stop us), even in a long build:
    every file is written atomically, so leaving mid-build loses nothing. The pid is the one
    `serve` passed: by the time this process runs, a parent killed early is already gone."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _follow(
    parent: int,
    args: tuple[Path, Path, Path, str | None],
    interval_s: float,
    build_first: bool | None,
    timing: tuple[float, float],
    stop: Event,
    done: Synchronized[int],
    log_level: int,
) -> None:
    """The child process (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: `serve` stops us
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="orphan-check", daemon=True).start()
    lower_priority()
    _name_process(b"locator-maps")
    logging.basicConfig(level=log_level, format="%(levelname)s:     %(message)s")
    registry, holidays, out_dir, key = args
    debounce_s, delay_s = timing
    if stop.wait(delay_s):
        return
    from locator.maps.live import is_stale
    from locator.maps.store_maps import StoreMaps
    from locator.store import open_store

    try:
        store = open_store(registry)
        if build_first is None:
            build_first = is_stale(registry, holidays, out_dir, key)
    except Exception as exc:
        log.error("maps not built: %s", exc)
        return
    if build_first:
        log.info("building maps in %s in the background …", out_dir)
    maps = StoreMaps(store, holidays, out_dir, tianditu_key=key)
    follower = _Follower(registry, maps, stop, done, debounce_s)
    if build_first or interval_s > 0:
        # a full build writes only the files that differ: nothing when the pages are up to
        # date, and whatever changed since `serve` started (or since they were checked)
        follower.run(full=True)
    if interval_s <= 0:
        return
    follower.follow(interval_s, holidays)
    store.close()


class StoreMapsWatcher:
    """Starts and stops the follower process; `done_seq` is the change the pages on disk show,
    once every file of that build is in place (-1: none yet)."""

    def __init__(
        self,
        registry: Path,
        holidays: Path,
        out_dir: Path,
        tianditu_key: str | None = None,
        *,
        debounce_s: float = DEBOUNCE_S,
        start_delay_s: float = START_DELAY_S,
    ) -> None:
        self.registry, self.holidays, self.out_dir = registry, holidays, out_dir
        self.tianditu_key = tianditu_key
        self.debounce_s, self.start_delay_s = debounce_s, start_delay_s
        self._ctx = multiprocessing.get_context("spawn")  # no copy of the serving process's memory
        self._stop = self._ctx.Event()
        self._done: Synchronized[int] = self._ctx.Value("q", -1)
        self._proc: Any = None

    @property
    def done_seq(self) -> int:
        return int(self._done.value)

    @property
    def pid(self) -> int | None:
        """The follower process, while it runs."""
        return self._proc.pid if self._proc is not None else None

    def stale(self) -> bool:
        from locator.maps.live import is_stale

        return is_stale(self.registry, self.holidays, self.out_dir, self.tianditu_key)

    def start(self, interval_s: float, *, build_first: bool | None = None) -> None:
        """Follow in a child process (interval 0: no following); `build_first` builds once first,
        else the current pages are planned (and only what differs on disk is written) so that
        changes apply to them; None: as False, but with interval 0 a build when the pages are stale."""
        if interval_s <= 0 and build_first is False:
            return
        args = (self.registry, self.holidays, self.out_dir, self.tianditu_key)
        timing = (self.debounce_s, self.start_delay_s)
        level = log.getEffectiveLevel()
        self._proc = self._ctx.Process(
            target=_follow,
            args=(os.getpid(), args, interval_s, build_first, timing, self._stop, self._done, level),
            name="locator-maps",
            daemon=True,
        )
        self._proc.start()

    def stop(self, timeout_s: float = 10) -> None:
        self._stop.set()
        if self._proc is not None:
            self._proc.join(timeout_s)
            if self._proc.is_alive():  # busy in a long build: its files are written atomically
                self._proc.terminate()
                self._proc.join(timeout_s)
            self._proc = None

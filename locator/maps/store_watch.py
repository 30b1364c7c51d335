"""The serve-time watcher of a store's pages: polls the store's head change (a µs query), waits
for a burst of edits to settle (debounce), then rebuilds in its own thread only what changed
(store_maps.StoreMaps.update). A change of the holiday table rebuilds everything. A failed
rebuild is logged, leaves the previous pages, and is retried in full at the next change.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from locator.maps.build import Result
from locator.maps.live import is_stale
from locator.maps.store_maps import StoreMaps
from locator.store import Store, open_store

log = logging.getLogger("locator.maps")

DEBOUNCE_S = 1.0
#: a steady stream of edits is built at least this often
MAX_DELAY_S = 5.0


def _mtime_signature(path: Path) -> tuple[int, ...]:
    try:
        st = path.stat()
    except OSError:
        return (0,)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class StoreMapsWatcher:
    def __init__(
        self,
        registry: Path,
        holidays: Path,
        out_dir: Path,
        tianditu_key: str | None = None,
        *,
        debounce_s: float = DEBOUNCE_S,
    ) -> None:
        self.registry, self.holidays, self.out_dir = registry, holidays, out_dir
        self.tianditu_key = tianditu_key
        self.debounce_s = debounce_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._maps: StoreMaps | None = None
        #: the change the pages on disk show, once every file of that build is in place (-1: none yet)
        self.done_seq = -1

    def stale(self) -> bool:
        return is_stale(self.registry, self.holidays, self.out_dir, self.tianditu_key)

    def _log(self, what: str, res: Result | None) -> None:
        if res is not None:
            log.info("maps %s: %d file(s) written, %d removed", what, len(res.written), len(res.removed))

    def _run(self, full: bool) -> None:
        """One rebuild (full, or of what changed); errors are logged, the next change retries in full."""
        assert self._maps is not None
        try:
            if full or self._maps.built is None:
                self._log("rebuilt", self._maps.build())
            else:
                self._log("updated", self._maps.update())
            self.done_seq = self._maps.built.seq if self._maps.built else -1
        except Exception as exc:  # keep serving the previous maps whatever went wrong
            self._maps.built = None
            log.error("maps not rebuilt (previous pages kept): %s", exc)

    def _settle(self, store: Store, head: int) -> int:
        """Wait until the head stays put for `debounce_s` (at most MAX_DELAY_S); the last head seen."""
        started = last_move = time.monotonic()
        while not self._stop.wait(min(self.debounce_s, 0.1)):
            now_head = store.head()
            now = time.monotonic()
            if now_head != head:
                head, last_move = now_head, now
            if now - last_move >= self.debounce_s or now - started >= MAX_DELAY_S:
                break
        return head

    def start(self, interval_s: float, *, build_first: bool = False) -> None:
        """Watch in a thread (interval 0: no watching); `build_first` builds once at once, else
        the current pages are planned in memory (nothing written) so that changes apply to them."""

        def loop() -> None:
            try:
                store = open_store(self.registry)
            except Exception as exc:
                log.error("maps not built: %s", exc)
                return
            self._maps = StoreMaps(store, self.holidays, self.out_dir, tianditu_key=self.tianditu_key)
            if build_first:
                self._run(full=True)
            if interval_s <= 0:
                store.close()
                return
            if not build_first:
                try:
                    self.done_seq = self._maps.load().seq
                except Exception as exc:
                    log.error("maps not loaded (rebuilt at the next change): %s", exc)
            seen = self._maps.built.seq if self._maps.built else -1
            holidays = _mtime_signature(self.holidays)
            while not self._stop.wait(interval_s):
                try:
                    head = store.head()
                except Exception as exc:
                    log.error("store not read: %s", exc)
                    continue
                sig = _mtime_signature(self.holidays)
                if sig != holidays:
                    holidays = sig
                    if self.stale():
                        self._run(full=True)
                        seen = store.head()
                        continue
                if head != seen:
                    seen = self._settle(store, head)
                    self._run(full=False)
                    seen = self._maps.built.seq if self._maps.built else seen
            store.close()

        self._thread = threading.Thread(target=loop, name="maps-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

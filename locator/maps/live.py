"""Keeping maps/ in step with the registry: build on demand, and a watcher thread for `serve`.

The watcher runs in the `locator serve` process itself (not in each worker), so several workers
never rebuild the same pages at once. A failed build is logged and leaves the pages as they were.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from locator.holidays import load_holidays
from locator.maps.build import Progress, Result, differences, plan, write
from locator.registry import load_registry

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
    """Build (or with `check`, only compare) every page; RegistryInvalid if the registry is bad."""
    reg = load_registry(registry)
    p = plan(reg.stations, load_holidays(holidays), reg.version, tianditu_key=tianditu_key, progress=progress)
    return differences(out_dir, p) if check else write(out_dir, p)


def is_stale(registry: Path, holidays: Path, out_dir: Path) -> bool:
    """Missing, or older than the registry or the holiday table."""
    index = out_dir / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime_ns
    return any(p.exists() and p.stat().st_mtime_ns > built for p in (registry, holidays))


class MapsWatcher:
    def __init__(self, registry: Path, holidays: Path, out_dir: Path, tianditu_key: str | None = None) -> None:
        self.args = (registry, holidays, out_dir)
        self.tianditu_key = tianditu_key
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sig = self._signature()

    def _signature(self) -> tuple[int, ...]:
        return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in self.args[:2])

    def build(self) -> None:
        try:
            res = build_maps(*self.args, tianditu_key=self.tianditu_key)
            log.info("maps rebuilt: %d file(s) written, %d removed", len(res.written), len(res.removed))
        except Exception as exc:  # keep serving the previous maps whatever went wrong
            log.error("maps not rebuilt (previous pages kept): %s", exc)

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
                    self.build()

        self._thread = threading.Thread(target=loop, name="maps-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

"""The live Locator, swapped without downtime when the registry or holiday file changes.

A request reads `holder.current` once and keeps that Locator for its whole life, so a swap never
disturbs a request in flight. A file that fails to load leaves the last good Locator serving;
the error is kept for /healthz and logged.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from locator.errors import RegistryInvalid
from locator.holidays import load_holidays
from locator.hours import beijing
from locator.registry import load_registry
from locator.service import Locator

log = logging.getLogger("locator.reload")


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
    that sits in a reference cycle would stay in memory for good.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LocatorHolder:
    def __init__(self, registry: Path, holidays: Path) -> None:
        self.registry_path = registry
        self.holidays_path = holidays
        self._paths = (registry, holidays)
        self._signature = _signature(self._paths)
        self.current = self._build()
        _settle()
        self.loaded_at = beijing()
        self.last_error: ReloadError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listeners: list[object] = []  # callables(locator) run after a successful swap

    def _build(self) -> Locator:
        return Locator(load_registry(self.registry_path), load_holidays(self.holidays_path))

    def check(self) -> bool:
        """Reload if either file changed; True when a new Locator was swapped in."""
        sig = _signature(self._paths)
        if sig == self._signature:
            return False
        self._signature = sig
        try:
            fresh = self._build()
        except RegistryInvalid as exc:
            errors = [str(p) for p in exc.problems if not p.warning]
            self.last_error = ReloadError(beijing(), str(exc), errors[:50])
            # exc.source names the file at fault: the registry or the holiday table
            log.error("reload failed, still serving version %s: %s", self.current.registry.version, exc)
            for line in errors[:20]:
                log.error("  %s", line)
            return False
        except (OSError, ValueError) as exc:
            self.last_error = ReloadError(beijing(), f"{type(exc).__name__}: {exc}", [])
            log.error("registry reload failed, still serving version %s: %s", self.current.registry.version, exc)
            return False
        self.current = fresh
        _settle()
        self.loaded_at = beijing()
        self.last_error = None
        log.info("registry reloaded: version %s, %d stations", fresh.registry.version, len(fresh.stations))
        for listener in self.listeners:
            listener(fresh)  # type: ignore[operator]
        return True

    def start(self, interval_s: float) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.check()
                except Exception:  # never let the watcher die
                    log.exception("registry watcher failed")
                    time.sleep(interval_s)

        self._thread = threading.Thread(target=loop, name="registry-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

"""Keep a serving worker's memory at its level while the registry changes under it.

Every applied change set allocates a few large numpy arrays (the filter words and masks of the
new index, megabytes at 10⁶ stations) and frees the previous ones. glibc raises its mmap
threshold each time a large mmapped block is freed, so later blocks of that size come from the
heap, which it rarely gives back: measured at 10⁶ stations, private memory grew from 131 MB to
507 MB over 100 edits with only ~9 MB alive. Pinning the threshold at 1 MiB keeps large arrays
in their own mappings, returned to the system when freed (flat at ~120 MB over the same edits).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("locator.memory")

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
THRESHOLD = 1 << 20


def pin_mmap_threshold() -> bool:
    """True when glibc took the setting; other C libraries are left as they are."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        log.debug("mallopt not available: large arrays use the C library's defaults")
        return False

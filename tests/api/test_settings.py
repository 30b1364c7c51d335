"""Where `serve` keeps its pages: one folder per registry, holiday table and page options."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from locator.api.settings import served_maps_dir


def test_other_options_or_holidays_get_their_own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two servers on one registry, one with a Tianditu key, must not overwrite each other's pages."""
    cache = tmp_path / "cache"
    reg, hol, other = tmp_path / "reg.geojson", tmp_path / "h.csv", tmp_path / "h2.csv"
    plain = served_maps_dir(reg, hol, None, cache=cache)
    assert plain.parent == cache
    assert plain == served_maps_dir(reg, hol, None, cache=cache)  # stable for the same inputs
    assert (
        len({plain, served_maps_dir(reg, hol, "key", cache=cache), served_maps_dir(reg, other, None, cache=cache)}) == 3
    )


def test_unwritable_cache_folder_falls_back_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A service user whose HOME cannot be written still gets its pages (and a log line why there)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    folder = served_maps_dir(tmp_path / "reg.geojson", tmp_path / "h.csv", None, cache=blocker / "cache")
    assert folder.parent == Path(tempfile.gettempdir()) / f"locator-{os.getuid()}"
    assert "cannot use the cache folder" in caplog.text and "LOCATOR_CACHE_DIR" in caplog.text

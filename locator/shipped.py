"""Files shipped with the package (the repository's data/, installed as `locator._data`)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(name: str) -> Path:
    """Path of a shipped data file, in an editable checkout and in an installed wheel alike."""
    return Path(str(files("locator._data").joinpath(name)))

"""暖心驿站地图 — station locator for outdoor workers: registry, nearest-station core, faces."""

__version__ = "0.1.0"

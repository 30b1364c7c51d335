"""Front-end assets: vendored libraries and our own app, published under content-hashed names.

`locator/maps/vendor/` holds the npm packages (scripts/vendor_assets.sh, licences kept beside
them); `locator/maps/static/` holds our app. A build copies the files it uses to
`maps/assets/NAME.HASH.EXT` plus a `.gz` twin, so `locator serve` can send them compressed with
a year-long cache lifetime and a phone downloads each version once.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"
STATIC = HERE / "static"

LEAFLET: Final = VENDOR / "leaflet@1.9.4"
SUPERCLUSTER: Final = VENDOR / "supercluster@8.0.1"
FULLSCREEN: Final = VENDOR / "leaflet.fullscreen@3.0.2"

#: (source file, published stem) in the order pages load them
SCRIPTS: Final = (
    (LEAFLET / "leaflet.js", "leaflet"),
    (FULLSCREEN / "Control.FullScreen.js", "control.fullscreen"),
)
STYLES: Final = (
    (LEAFLET / "leaflet.css", "leaflet"),
    (FULLSCREEN / "Control.FullScreen.css", "control.fullscreen"),
    (STATIC / "app.css", "app"),
)
APP_JS: Final = STATIC / "app.js"
#: loaded by app.js itself: into a Web Worker (or on the main thread for pages opened from disk)
ENGINE_JS: Final = STATIC / "engine.js"
SUPERCLUSTER_JS: Final = SUPERCLUSTER / "supercluster.min.js"
#: files referenced from inside CSS by relative url(): published unhashed beside the CSS
CSS_RESOURCES: Final = (
    (LEAFLET / "images" / "layers.png", "images/layers.png"),
    (LEAFLET / "images" / "layers-2x.png", "images/layers-2x.png"),
    (LEAFLET / "images" / "marker-icon.png", "images/marker-icon.png"),
    (FULLSCREEN / "icon-fullscreen.svg", "icon-fullscreen.svg"),
)
LICENCES: Final = (
    (LEAFLET / "LICENSE", "LICENSE.leaflet.txt"),
    (SUPERCLUSTER / "LICENSE", "LICENSE.supercluster.txt"),
    (FULLSCREEN / "LICENSE", "LICENSE.leaflet.fullscreen.txt"),
)


@dataclass(frozen=True)
class Published:
    """A file to write under maps/: relative path and bytes."""

    path: str
    data: bytes


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def hashed(stem: str, ext: str, data: bytes) -> str:
    return f"assets/{stem}.{digest(data)}.{ext}"


def with_gzip(path: str, data: bytes, level: int = 9) -> list[Published]:
    """The file and, for text assets, a gzip twin (mtime 0: reproducible bytes)."""
    out = [Published(path, data)]
    if path.startswith("assets/") and path.rsplit(".", 1)[-1] in ("js", "css", "svg", "txt"):
        out.append(Published(path + ".gz", gzip.compress(data, compresslevel=level, mtime=0)))
    return out

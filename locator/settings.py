"""The one settings object, read at the edge from the command line and the environment.

`load(args)` is called once by `locator` (cli.main) and once by a bare `uvicorn --factory` worker;
everything below takes values from the `Settings` it returns. This is the only module of the
package that touches `os.environ` (tests/test_settings_edge.py checks it). A flag wins over its
variable; a bad value of either is one line naming the flag or the variable (exit 2).

`locator serve --workers N` hands the API settings to its worker processes as ONE serialised value
(`LOCATOR_SERVE_SETTINGS`, JSON), written by `hand_to_workers` and read by `handed_to_worker`.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from locator.errors import InvalidParameter

#: every variable read, with its meaning and default: the README's table is checked against it
VARIABLES: dict[str, tuple[str, str]] = {
    "LOCATOR_REGISTRY": ("the registry: a `.sqlite` store, a `postgresql://` URL or a GeoJSON file (`--registry`)",
                         "`$XDG_DATA_HOME/locator/registry.sqlite`"),
    "LOCATOR_HOLIDAYS": ("the holiday table in use and written by `holidays import`",
                         "`$XDG_DATA_HOME/locator/holidays_cn.csv` when it exists, else the shipped table"),
    "XDG_DATA_HOME": ("folder of the default store and of the user's holiday table", "`~/.local/share`"),
    "XDG_CACHE_HOME": ("base of the cache folder", "`~/.cache`"),
    "LOCATOR_CACHE_DIR": ("where `serve` keeps the map pages it builds (one folder per registry)",
                          "`$XDG_CACHE_HOME/locator`"),
    "LOCATOR_MAPS_DIR": ("the folder of the served map pages (`serve --maps`)", "a folder of the cache folder"),
    "LOCATOR_RELOAD_INTERVAL": ("seconds between registry checks, 0 turns them off (`serve --reload-interval`)",
                                "`1`"),
    "LOCATOR_PUBLIC_URL": ("origin of absolute links and redirects (`serve --public-url`)", "`http://HOST:PORT`"),
    "LOCATOR_HEADER_TIMEOUT": ("seconds a client may take to send a request's headers (`serve --header-timeout`)",
                               "`10`"),
    "LOCATOR_TELEMETRY": ("`1` turns on OpenTelemetry spans and metrics (`serve --telemetry`)", "`0` (off)"),
    "LOCATOR_TIANDITU_KEY": ("adds the Tianditu basemap (`--tianditu-key` of `serve` and `build-maps`)", "none"),
    "FORWARDED_ALLOW_IPS": ("proxies whose X-Forwarded-For/-Proto are trusted (`serve --forwarded-allow-ips`)",
                            "`127.0.0.1,::1`"),
    "LOCATOR_SERVE_SETTINGS": ("set by `serve` for its worker processes (JSON); not to be set by hand", "unset"),
}  # fmt: skip

WORKER_VARIABLE = "LOCATOR_SERVE_SETTINGS"
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_FORWARDED = "127.0.0.1,::1"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    registry: str  # resolved: --registry, else LOCATOR_REGISTRY, else the default store
    default_registry: str  # the default store, made from the shipped data on first use
    holidays: Path  # the holiday table in use
    holidays_target: Path  # the table `holidays import` writes
    cache_dir: Path
    maps_dir: Path | None  # None: a folder of cache_dir per registry (api.settings.served_maps_dir)
    tianditu_key: str | None
    reload_interval_s: float
    public_url: str | None  # None: `serve` uses its own bind address
    header_timeout_s: float
    telemetry: bool
    forwarded_allow_ips: str

    def is_default_store(self, value: str) -> bool:
        from locator.store import kind_of

        return kind_of(value) == "sqlite" and Path(value).absolute() == Path(self.default_registry).absolute()


def load(args: argparse.Namespace | None = None) -> Settings:
    """The settings of this process: its command line (flags absent from `args` count as not
    given) over its environment. The only reader of `os.environ`."""
    return read_settings(os.environ, args)


def read_settings(env: Mapping[str, str], args: argparse.Namespace | None = None) -> Settings:
    from locator.cli_holidays import holidays_path, writable_table
    from locator.where import default_store, resolve_registry

    def pick(flag: str, var: str) -> tuple[str | None, str]:
        """The value given and the name to blame for it: the flag when given, else the variable."""
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value is not None and value is not False:
            return str(value), flag
        return env.get(var) or None, var

    maps, _ = pick("--maps", "LOCATOR_MAPS_DIR")
    key, _ = pick("--tianditu-key", "LOCATOR_TIANDITU_KEY")
    interval, interval_name = pick("--reload-interval", "LOCATOR_RELOAD_INTERVAL")
    public, public_name = pick("--public-url", "LOCATOR_PUBLIC_URL")
    timeout, timeout_name = pick("--header-timeout", "LOCATOR_HEADER_TIMEOUT")
    telemetry = bool(getattr(args, "telemetry", False)) or flag_value(env.get("LOCATOR_TELEMETRY"), "LOCATOR_TELEMETRY")
    forwarded, _ = pick("--forwarded-allow-ips", "FORWARDED_ALLOW_IPS")
    return Settings(
        registry=resolve_registry(getattr(args, "registry", None), env),
        default_registry=default_store(env),
        holidays=holidays_path(env),
        holidays_target=writable_table(env),
        cache_dir=cache_dir(env),
        maps_dir=Path(maps).resolve() if maps else None,
        tianditu_key=key,
        reload_interval_s=1.0 if interval is None else reload_interval(interval, interval_name),
        public_url=None if public is None else public_url(public, public_name),
        header_timeout_s=DEFAULT_HEADER_TIMEOUT_S if timeout is None else header_timeout(timeout, timeout_name),
        telemetry=telemetry,
        forwarded_allow_ips=forwarded or DEFAULT_FORWARDED,
    )


def cache_dir(env: Mapping[str, str]) -> Path:
    """$LOCATOR_CACHE_DIR, else $XDG_CACHE_HOME/locator, else ~/.cache/locator."""
    explicit = env.get("LOCATOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = env.get("XDG_CACHE_HOME")
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return (Path(xdg) if xdg else home / ".cache") / "locator"


def hand_to_workers(payload: str) -> None:
    """`serve --workers N`: the API settings for the worker processes, which inherit the environment."""
    os.environ[WORKER_VARIABLE] = payload


def handed_to_worker() -> str | None:
    """The serialised API settings `serve` handed to this worker, or None outside `serve`."""
    return os.environ.get(WORKER_VARIABLE) or None


def flag_value(value: str | None, name: str) -> bool:
    word = (value or "").strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidParameter(name, f"{value!r} must be 1 or 0 (true/false, yes/no, on/off)")


def reload_interval(value: str, name: str = "--reload-interval") -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidParameter(name, f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= 3600:
        raise InvalidParameter(name, f"{value!r} must be 0 (off) to 3600 seconds")
    return seconds


def header_timeout(value: str, name: str = "--header-timeout") -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidParameter(name, f"{value!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise InvalidParameter(name, f"{value!r} must be more than 0 and at most 3600 seconds")
    return seconds


def public_url(value: str, name: str = "--public-url") -> str:
    """`scheme://host[:port]` (http or https, no path, query or fragment), without a trailing slash."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise InvalidParameter(name, f"{value!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameter(name, f"{value!r} must look like https://stations.example.cn (http or https)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidParameter(name, f"{value!r} must be an origin only: scheme://host[:port], no path or query")
    return f"{parts.scheme}://{parts.netloc.lower()}"

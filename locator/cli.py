"""`locator` command line: validate, nearest, import, export, build-maps, serve.

Exit codes: 0 success; 1 the data has problems (printed one per line); 2 a bad argument or a
file that cannot be used (one line naming it, never a traceback); 3 a conflict: the registry was
changed by another program during an update (nothing written).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import orjson

from locator import params
from locator.coords import CRS_IDS
from locator.errors import InvalidParameter, LocatorError, Problem, RegistryInvalid, StationNotFound
from locator.filelock import WriteConflict
from locator.geojson import feature_collection
from locator.holidays import HolidayCalendar, HolidayTableInvalid
from locator.hours_zh import hours_zh
from locator.service import Locator, NearestResult
from locator.settings import Settings, load
from locator.store import RevisionConflict, StoreError, kind_of, open_store
from locator.where import ensure_store

if TYPE_CHECKING:
    from locator.maps.live import MapsWatcher
    from locator.maps.store_watch import StoreMapsWatcher


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _print_problems(problems: list[Problem]) -> tuple[int, int]:
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for p in errors + warnings:
        _out(str(p))
    return len(errors), len(warnings)


def _format_text(result: NearestResult) -> str:
    if not result.hits:
        return f"没有符合条件的站点 (no station matches; evaluated at {result.at:%Y-%m-%d %H:%M} 北京时间)"
    lines = [f"# evaluated at {result.at:%Y-%m-%d %H:%M} 北京时间 (Asia/Shanghai)"]
    for i, h in enumerate(result.hits, start=1):
        st = h.station
        state = {True: "营业中", False: "已关闭", None: "时间未知"}[h.state.open]
        if h.state.next_change is not None:
            state += f" (至 {h.state.next_change:%m-%d %H:%M})"
        approx = " ~位置为大致位置" if st.coord_precision == "approximate" else ""
        dist = h.distance_m or 0.0
        lines.append(f"{i}. {st.name} [{st.id}] {dist:,.0f} m  {state}  {hours_zh(st.opening_hours)}{approx}")
    return "\n".join(lines)


def _locator(value: str, calendar: HolidayCalendar) -> Locator:
    if kind_of(value) == "geojson":
        return Locator.load(Path(value), calendar)
    store = open_store(value)
    try:
        return Locator.from_store(store, calendar)
    finally:
        store.close()


def cmd_nearest(args: argparse.Namespace) -> int:
    from locator.holidays import load_holidays

    loc = _locator(args.registry, load_holidays(args.settings.holidays))
    result = loc.nearest(
        args.lat,
        args.lon,
        k=args.k,
        crs=args.crs,
        amenities=args.amenity or (),
        station_type=args.type,
        open_now=args.open_now,
        at=args.at,
        max_distance_m=args.max_distance,
    )
    for w in result.warnings:
        _err(f"warning: {w}")
    if args.json:
        doc = feature_collection(result.hits, params.crs(args.crs), at=result.at, warnings=result.warnings)
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        _out(_format_text(result))
    return 0


def _start_maps(
    registry: Path, holidays: Path, out: Path, interval: float, key: str | None
) -> MapsWatcher | StoreMapsWatcher:
    """Build the maps (in the background) when missing or made from other data (by content, see
    locator.maps.manifest); rebuild them when it changes (a store: only the pages a change
    touched). The API does not wait for them: a million-station build takes a minute."""
    import logging

    from locator.maps.store_watch import StoreMapsWatcher
    from locator.store import StoreError, kind_of

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    if kind_of(registry) == "sqlite":  # its own low-priority process, which checks staleness itself
        follower = StoreMapsWatcher(registry, holidays, out, tianditu_key=key)
        follower.start(interval)
        return follower
    from locator.maps.live import MapsWatcher, is_stale

    watcher = MapsWatcher(registry, holidays, out, tianditu_key=key)
    try:
        stale = is_stale(registry, holidays, out, key)
    except StoreError as exc:
        _err(f"maps not built: {exc}")
        return watcher
    if stale:
        _err(f"building maps in {out} in the background (the API starts now) …")
    watcher.start(interval, build_first=stale)
    return watcher


def cmd_build_maps(args: argparse.Namespace) -> int:
    from locator.maps.live import build_maps
    from locator.store import StoreError

    out = Path(args.out or "maps")  # relative to the current folder
    registry = Path(args.registry)  # resolved in main(): a GeoJSON file or a .sqlite store
    try:
        res = build_maps(
            registry,
            args.settings.holidays,
            out,
            tianditu_key=args.settings.tianditu_key,
            check=args.check,
            progress=None if args.check else (lambda msg: _err(f"building maps: {msg}")),
        )
    except StoreError as exc:  # no store there, or not a store: an unusable --registry
        raise InvalidParameter("--registry", str(exc)) from None
    if args.check:
        for rel in res.written:
            _out(f"{out / rel}: stale (differs from a fresh build)")
        for rel in res.removed:
            _out(f"{out / rel}: left over from an older build")
        stale = bool(res.written or res.removed)
        _err(f"{out}: {'stale: run `locator build-maps`' if stale else 'up to date'}")
        return 1 if stale else 0
    _err(f"{out}: {len(res.written)} file(s) written, {res.unchanged} unchanged, {len(res.removed)} removed")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    args.registry = ensure_store(args.registry, may_create=True, note=_err)  # the first start makes the store
    from functools import partial

    import uvicorn

    from locator.api.protocol import HeaderTimeoutProtocol
    from locator.api.settings import ApiSettings
    from locator.settings import hand_to_workers, public_url

    port = params.count(args.port, "--port", 65535)
    workers = params.count(args.workers, "--workers", 64)
    s: Settings = args.settings
    bind = f"[{args.host}]" if ":" in args.host else args.host
    settings = ApiSettings.from_settings(s, default_public_url=public_url(f"http://{bind}:{port}", "--host"))
    http: dict[str, Any] = {
        "http": partial(HeaderTimeoutProtocol, header_timeout_s=settings.header_timeout_s),
        "proxy_headers": True,
        "forwarded_allow_ips": s.forwarded_allow_ips,
    }
    log_level = "warning" if args.quiet else "info"
    registry = settings.registry
    is_store = kind_of(registry) != "geojson"  # every worker follows the store's log, and so do the maps
    interval = settings.reload_interval_s
    watcher = _start_maps(registry, settings.holidays, settings.maps_dir, interval, s.tianditu_key)
    if workers == 1:
        from locator.api.app import create_app  # only here: the workers import it themselves

        app = create_app(settings)  # a broken registry stops here with every problem listed
        uvicorn.run(app, host=args.host, port=port, log_level=log_level, access_log=not args.quiet, **http)
        watcher.stop()
        return 0
    if is_store:  # checked when it was written: only make sure it opens before the workers start
        open_store(registry).close()
    else:  # check once before the workers start, in a child process so this supervisor stays small
        import subprocess

        check = subprocess.run([sys.executable, "-m", "locator", "validate", str(registry)], check=False)
        if check.returncode != 0:
            return 1
    hand_to_workers(settings.to_json())  # the workers are processes of their own: one value, read once
    uvicorn.run(
        "locator.api.main:app_from_env",
        factory=True,
        host=args.host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=not args.quiet,
        **http,
        # parsing a 10⁶-station registry holds the GIL for seconds; uvicorn's default 5 s ping
        # would kill a worker that is still loading
        timeout_worker_healthcheck=120,
    )
    watcher.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="locator", description="暖心驿站地图 — station locator for outdoor workers")
    parser.add_argument(
        "--registry",
        metavar="PATH",
        help="a store (.sqlite) or a GeoJSON file (default: $LOCATOR_REGISTRY, else "
        "$XDG_DATA_HOME/locator/registry.sqlite, made from the shipped data on first use)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--registry", metavar="PATH", default=argparse.SUPPRESS, help="a .sqlite store or a GeoJSON")
        return p

    p = add("nearest", "the k nearest stations to a point (great-circle distance)")
    p.add_argument("lat", metavar="LAT")
    p.add_argument("lon", metavar="LON")
    p.add_argument("-k", default="5", metavar="N", help="how many stations (1-1000, default 5)")
    p.add_argument("--amenity", action="append", metavar="ID", help="required amenity (repeat: all of them)")
    p.add_argument("--type", metavar="ID", help="station type id")
    p.add_argument("--open-now", action="store_true", help="only stations open at --at (default: now)")
    p.add_argument("--at", metavar="ISO8601", help="moment to evaluate (default now, Beijing time)")
    p.add_argument("--crs", default="wgs84", help=f"crs of LAT/LON and of --json output ({', '.join(CRS_IDS)})")
    p.add_argument("--max-distance", metavar="METRES", help="only stations within this distance")
    p.add_argument("--json", action="store_true", help="print a GeoJSON FeatureCollection")
    p.set_defaults(func=cmd_nearest)

    p = add("build-maps", "regenerate every map page (atomic; byte-identical when nothing changed)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: maps/ in the current folder)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when the pages are stale")
    p.add_argument("--tianditu-key", help="adds the Tianditu basemap (or $LOCATOR_TIANDITU_KEY)")
    p.set_defaults(func=cmd_build_maps)

    p = add("serve", "the HTTP API (and the maps) on the registry; reloads it when the file changes")
    p.add_argument("--tianditu-key", help="adds the Tianditu basemap (or $LOCATOR_TIANDITU_KEY)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", default="8000", help="port (default 8000)")
    p.add_argument("--workers", default="1", help="worker processes (default 1)")
    p.add_argument(
        "--maps",
        metavar="DIR",
        help="folder of the map pages (or $LOCATOR_MAPS_DIR; default: a cache folder of the registry, see README)",
    )
    p.add_argument(
        "--reload-interval",
        metavar="S",
        help="seconds between registry checks (0: off; or $LOCATOR_RELOAD_INTERVAL; 1)",
    )
    p.add_argument("--quiet", action="store_true", help="log warnings only")
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="origin of absolute links and redirects, e.g. https://stations.example.cn "
        "(or $LOCATOR_PUBLIC_URL; default http://HOST:PORT); the Host header is never used",
    )
    p.add_argument(
        "--header-timeout",
        metavar="S",
        help="close connections that take longer to send headers (or $LOCATOR_HEADER_TIMEOUT; default 10)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="proxies whose X-Forwarded-For/-Proto are trusted (or $FORWARDED_ALLOW_IPS; default 127.0.0.1,::1)",
    )
    p.add_argument(
        "--telemetry", action="store_true", help="FastAPI's OpenTelemetry spans and metrics (or LOCATOR_TELEMETRY=1)"
    )
    p.set_defaults(func=cmd_serve)

    from locator import cli_coverage, cli_files, cli_holidays

    cli_files.add_parser(add, _Parser)
    cli_coverage.add_parser(add, _Parser)
    cli_holidays.add_parser(add, _Parser)
    from locator import cli_store

    cli_store.add_parsers(add, _Parser)
    return parser


#: commands that make the store themselves (init, serve) or need no registry
_MAKE_THEIR_OWN = frozenset({"init", "serve", "holidays"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = settings = load(args)  # the one read of the environment; passed down from here
        args.registry = settings.registry
        if args.command not in _MAKE_THEIR_OWN and not getattr(args, "path", None):
            args.registry = ensure_store(args.registry, may_create=settings.is_default_store(args.registry), note=_err)
        return int(args.func(args))
    except InvalidParameter as exc:
        flag = exc.name if exc.name.isupper() or exc.name.startswith("-") else _flag(exc.name)
        _err(f"locator {args.command}: error: {flag}: {exc.reason}")
        return 2
    except HolidayTableInvalid as exc:  # an unreadable input file, not a registry with problems
        _print_problems(exc.problems)
        return 2
    except RegistryInvalid as exc:
        n_err, n_warn = _print_problems(exc.problems)
        _err(f"{exc.source}: {n_err} error(s), {n_warn} warning(s); nothing was changed")
        return 1
    except (WriteConflict, RevisionConflict) as exc:  # changed meanwhile, or locked too long
        _err(f"locator {args.command}: error: {exc}")
        return 3
    except (StationNotFound, StoreError) as exc:
        _err(f"locator {args.command}: error: {exc}")
        return 2
    except LocatorError as exc:
        _err(f"locator {args.command}: error: {exc}")
        return 1
    except OSError as exc:
        line, code = _os_error(exc)
        _err(f"locator {args.command}: error: {line}")
        return code


#: errno → (what went wrong, exit code): 2 when the path given cannot be used, 1 otherwise
_OS_ERRORS = {
    errno.ENOSPC: ("disk full: no space left on the device", 1),
    errno.EDQUOT: ("disk quota exceeded", 1),
    errno.EISDIR: ("is a folder", 2),
    errno.ENOTDIR: ("a part of the path is not a folder", 2),
    errno.ENOENT: ("does not exist", 2),
    errno.EACCES: ("permission denied", 2),
    errno.EPERM: ("permission denied", 2),
    errno.EROFS: ("read-only file system", 2),
}


def _os_error(exc: OSError) -> tuple[str, int]:
    """One line naming the file (as the user gave it) and what went wrong, and the exit code."""
    reason, code = _OS_ERRORS.get(exc.errno or 0, (exc.strerror or str(exc), 1))
    if exc.filename is None:
        return reason, code
    name = os.fsdecode(exc.filename)
    return (f"{name} is a folder" if exc.errno == errno.EISDIR else f"{name}: {reason}"), code


_FLAGS = {
    "lat": "LAT",
    "lon": "LON",
    "k": "-k",
    "port": "--port",
    "max_distance_m": "--max-distance",
    "amenity": "--amenity",
    "type": "--type",
    "at": "--at",
    "crs": "--crs",
}


def _flag(name: str) -> str:
    return _FLAGS.get(name, name)


if __name__ == "__main__":
    sys.exit(main())

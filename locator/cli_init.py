"""`locator init [--from FILE] [--empty]`: make the store named by --registry.

Without --from it holds the shipped stations; with it, a file read exactly as `locator import`
reads it (a spreadsheet needs --crs unless its headers state it). A store that already holds
stations is refused (exit 2); an empty one (`init --empty`) is filled. A new store is built under a
temporary name and linked into place (locator.where.make_store).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from locator import params
from locator.cli_store import Add, err, out
from locator.errors import InvalidParameter, Problem
from locator.model import Station
from locator.store import StoreError, create_store, kind_of, open_store
from locator.where import SHIPPED_WHY, make_store, write_snapshot


# -- init --------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    value = str(args.registry)
    if kind_of(value) != "sqlite":
        raise InvalidParameter(
            "--registry", f"{value} is not a store: name a .sqlite file (e.g. --registry var/registry.sqlite)"
        )
    if args.empty and args.source:
        raise InvalidParameter("--empty", "cannot be combined with --from")
    if args.crs is not None and not args.source:
        raise InvalidParameter("--crs", "applies to the file given with --from")
    path = Path(value)
    if path.exists():
        store = open_store(value)
        if store.head() > 0:
            raise StoreError(f"{value}: already a store with {store.count()} stations (seq {store.head()}); unchanged")
        if args.empty:
            out(f"{value}: already an empty store; no change")
            return 0
    stations, why = ([], "created empty") if args.empty else _initial(args)
    if path.exists():  # an empty store made before (init --empty): fill it
        create_store(value, stations, by="init", why=why)[0].close()
        write_snapshot(path)
    elif not make_store(path, stations, by="init", why=why):
        raise StoreError(f"{value}: another program created the store meanwhile; nothing was changed")
    out(f"{value}: created with {len(stations)} station(s)" + (f" ({why})" if stations else ""))
    return 0


def _initial(args: argparse.Namespace) -> tuple[list[Station], str]:
    if not args.source:
        from locator.registry import DEFAULT_REGISTRY, load_registry

        return load_registry(DEFAULT_REGISTRY).stations, SHIPPED_WHY
    from locator.io import read_stations

    crs = None if args.crs is None else params.crs(args.crs, name="--crs")
    keep = {c.strip() for item in args.keep_columns or () for c in item.split(",") if c.strip()}
    warnings: list[Problem] = []
    stations = read_stations(Path(args.source), crs, keep, warnings, layer=args.layer, note=err)
    for p in warnings:
        out(str(p))
    return stations, f"created from {args.source}"


def add_parser(add: Add) -> None:
    from locator.coords import CRS_IDS

    p = add("init", "create the store named by --registry (default: from the shipped data)")
    p.add_argument("--from", dest="source", metavar="FILE", help="its first stations: CSV, XLSX, GeoJSON, GeoPackage")
    p.add_argument("--empty", action="store_true", help="a store with no stations")
    p.add_argument("--crs", help=f"of a spreadsheet's lon/lat ({', '.join(CRS_IDS)})")
    p.add_argument("--keep-columns", action="append", metavar="COL,COL", help="extra columns to keep (as import)")
    p.add_argument("--layer", metavar="NAME", help="the GeoPackage layer to read")
    p.set_defaults(func=cmd_init)

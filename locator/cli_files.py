"""`locator validate`, `locator import` and `locator export`: station files in and out of any
kind of registry (a store with history, or a GeoJSON file).

An import into a store is one change set (`store.commit`: all rows or none, one `by`, one
`why`); into a GeoJSON file it is one locked read-modify-write (`registry.update_registry`).
Both plan the change set first (`locator.import_plan`), which `--dry-run` prints instead.
Stores are read as stored (`locator.io.stored`), never as 10⁶ objects at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

import orjson

from locator import params
from locator.cli import _print_problems
from locator.coords import CRS_IDS
from locator.errors import InvalidParameter, Problem, RegistryInvalid
from locator.import_plan import MODES, InMemory, Mode, Plan, plan_import
from locator.model import Station
from locator.registry import check_registry, load_registry, registry_path, update_registry
from locator.store import Store, kind_of, open_store
from locator.validate import duplicate_ids

#: At most this many warnings are printed after an import (then a count of the rest).
MAX_WARNINGS = 50


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


# -- where the registry is (the two places to switch to locator.where) ------------------------
def _registry(explicit: str | None) -> Path:
    return registry_path(explicit)


def _store(path: Path) -> Store:
    return open_store(path)


# -- validate ------------------------------------------------------------------------------------
def _is_staff_file(path: Path) -> bool:
    """A file `validate` checks as an import would: a spreadsheet or GeoPackage, or a GeoJSON
    whose old-style `crs` member names a system other than WGS-84 (a QGIS export)."""
    from locator.io import FORMATS

    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None or not path.is_file():
        return False
    if fmt != "GeoJSON":
        return True
    with path.open("rb") as fh:  # a registry has no `crs` member: parse only when one may be there
        head = fh.read(1 << 16)
    if b'"crs"' not in head:
        return False
    from locator.registry import read_json

    try:
        doc, _raw = read_json(path)
    except RegistryInvalid:
        return False  # the registry path reports it
    declared = doc.get("crs") if isinstance(doc, dict) else None
    return declared is not None and not any(w in orjson.dumps(declared).decode() for w in ("CRS84", ':4326"'))


def _keep(args: argparse.Namespace) -> set[str]:
    return {c.strip() for item in args.keep_columns or () for c in item.split(",") if c.strip()}


def _validate_staff_file(path: Path, args: argparse.Namespace) -> int:
    from locator.io import read_stations

    crs = None if args.crs is None else params.crs(args.crs, name="--crs")
    warnings: list[Problem] = []
    try:
        stations = read_stations(path, crs, _keep(args), warnings)
    except RegistryInvalid as exc:
        n_err, n_warn = _print_problems(exc.problems)
        _err(f"{path}: {n_err} error(s), {n_warn} warning(s) (checked as `locator import` would)")
        return 1
    _print_problems(warnings)
    _err(f"{path}: {len(stations)} valid station(s), 0 error(s), {len(warnings)} warning(s) (checked as an import)")
    return 0


def check_store(path: Path, store: Store) -> tuple[int, list[Problem]]:
    """Every problem of the stations a store holds now, as `validate` finds them in a file:
    each stored feature checked again (a row changed behind the store's back by SQL is
    caught), duplicate ids, near-duplicates. Places are `PATH:ID`; the count of valid ones first."""
    from locator.io.stored import stored_features
    from locator.registry import gc_paused
    from locator.validate import check_feature, near_duplicates, raw_id, today_in_beijing

    today = today_in_beijing()
    stations: list[Station] = []
    places: list[str] = []
    problems: list[Problem] = []
    ids: list[tuple[str, object]] = []
    with gc_paused():
        for sid, raw in stored_features(store):
            place = f"{path}:{sid}"
            try:
                feature = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                problems.append(Problem(place, "feature", f"the stored feature is not valid JSON ({exc})"))
                continue
            station, found = check_feature(place, feature, today)
            problems.extend(found)
            fid = raw_id(feature)
            ids.append((place, fid))
            if isinstance(fid, str) and fid != sid:
                problems.append(Problem(place, "id", f"the stored feature's id is {fid!r}, its row's id {sid!r}"))
            elif station is not None:
                stations.append(station)
                places.append(place)
    problems.extend(duplicate_ids(ids))
    problems.extend(near_duplicates(stations, places))
    return len(stations), problems


def cmd_validate(args: argparse.Namespace) -> int:
    path = _registry(args.path or args.registry)
    if kind_of(path) == "sqlite":
        if args.crs is not None:
            raise InvalidParameter("--crs", f"{path} is a registry store (WGS-84): --crs applies to spreadsheets")
        valid, problems = check_store(path, _store(path))
    elif _is_staff_file(path):
        return _validate_staff_file(path, args)
    else:
        if args.crs is not None:
            raise InvalidParameter("--crs", f"{path} is a registry GeoJSON (WGS-84): --crs applies to spreadsheets")
        stations, problems, _digest = check_registry(path)
        valid = len(stations)
    n_err, n_warn = _print_problems(problems)
    _err(f"{path}: {valid} valid station(s), {n_err} error(s), {n_warn} warning(s)")
    return 1 if n_err else 0


# -- import --------------------------------------------------------------------------------------
def _mode(args: argparse.Namespace) -> Mode:
    if args.replace and args.mode not in (None, "replace"):
        raise InvalidParameter("--replace", f"is --mode replace; it contradicts --mode {args.mode}")
    return "replace" if args.replace else cast(Mode, args.mode or "add")


def _print_plan(plan: Plan) -> None:
    write = sys.stdout.write
    for line in plan.lines():  # line by line: a plan of 10⁵ stations is piped to a file
        write(line + "\n")


def cmd_import(args: argparse.Namespace) -> int:
    from locator.io import read_stations  # pandas: only for import/export

    mode = _mode(args)
    crs = None if args.crs is None else params.crs(args.crs, name="--crs")
    path = _registry(args.registry)
    file = Path(args.file)
    warnings: list[Problem] = []
    given: list[frozenset[str]] = []
    incoming = read_stations(file, crs, _keep(args), warnings, layer=args.layer, note=_err, given=given)
    if mode == "replace" and not incoming and not args.allow_empty:
        raise InvalidParameter(
            "FILE", f"{args.file} holds no station: --replace would empty the registry (add --allow-empty to do so)"
        )
    if kind_of(path) == "sqlite":
        plan, now = _import_into_store(path, incoming, given, mode, args)
    else:
        plan, now = _import_into_file(path, incoming, given, mode, args)
    if args.dry_run:
        _print_plan(plan)
        _err(f"dry run: {args.file} into {path}: every check passed; nothing was changed")
    else:
        _err(f"imported {len(incoming)} station(s) from {args.file} ({plan.summary()}); {path} now holds {now}")
    _print_warnings(warnings)
    return 0


Given = list[frozenset[str]]


def _import_into_store(
    path: Path, incoming: list[Station], given: Given, mode: Mode, args: argparse.Namespace
) -> tuple[Plan, int]:
    from locator.io.stored import StoreCurrent

    store = _store(path)
    plan = plan_import(StoreCurrent(store), incoming, mode, source=str(args.file), given=given)
    changes = plan.changes()
    if changes:  # one change set: all rows or none; a dry run makes the same checks, then rolls back
        why = args.why or f"import {Path(args.file).name}"
        store.commit(changes, by=args.by or "import", why=why, dry_run=args.dry_run)
    return plan, store.count()


def _import_into_file(
    path: Path, incoming: list[Station], given: Given, mode: Mode, args: argparse.Namespace
) -> tuple[Plan, int]:
    from locator import io as station_io

    if args.dry_run:
        existing = load_registry(path).stations if path.exists() else []
        plan = plan_import(InMemory(existing), incoming, mode, source=str(args.file), given=given)
        merged = station_io.merge(existing, plan.stations, mode == "replace")
        clashes = duplicate_ids([(f"{path}:{s.id}", s.id) for s in merged])
        if clashes:  # what the real import would refuse (update_registry makes the same check)
            raise RegistryInvalid(str(path), clashes)
        return plan, len(existing)
    plans: list[Plan] = []

    def merge_in(existing: list[Station]) -> list[Station]:  # runs under the registry's lock
        plans.append(plan_import(InMemory(existing), incoming, mode, source=str(args.file), given=given))
        return station_io.merge(existing, plans[-1].stations, mode == "replace")

    merged = update_registry(path, merge_in)
    return plans[-1], len(merged)


def _print_warnings(warnings: list[Problem]) -> None:
    """An import succeeds despite warnings (e.g. a near-duplicate), but says so, as validate does."""
    for p in warnings[:MAX_WARNINGS]:
        _out(str(p))
    if len(warnings) > MAX_WARNINGS:
        _out(f"… and {len(warnings) - MAX_WARNINGS} more warning(s); `locator validate FILE` lists them all")


# -- export --------------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from locator.io import file_format
    from locator.io.export import check_crs, write_features, write_geojson, write_stations

    crs = params.crs(args.crs, name="--crs")
    out = Path(args.file)
    fmt = file_format(out)
    check_crs(crs, fmt)
    path = _registry(args.registry)
    if kind_of(path) == "sqlite":
        from locator.io.stored import snapshot
        from locator.registry import gc_paused

        with snapshot(_store(path)) as features, gc_paused():  # acyclic dicts, freed chunk by chunk
            if fmt == "GeoJSON":  # the stored features are the registry's own lines
                n = write_geojson(out, (f for _sid, f in features()))
            else:  # parsed, never made Stations: the rows need the properties only
                n = write_features(out, lambda: (orjson.loads(f) for _sid, f in features()), crs, fmt)
    else:
        reg = load_registry(path)
        n = write_stations(out, lambda: reg.stations, crs, fmt)
    _err(f"exported {n} station(s) to {args.file}")
    return 0


# -- parsers -------------------------------------------------------------------------------------
def add_parser(add: Callable[[str, str], argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    del parser_class  # the subcommands here have no subcommands of their own
    p = add("validate", "check a registry, or a file to import (as `import` would); one line per problem")
    p.add_argument(
        "path", nargs="?", metavar="PATH", help="registry (.sqlite store or GeoJSON), or a CSV / XLSX / GeoPackage"
    )
    p.add_argument("--crs", help=f"of a spreadsheet's lon/lat ({', '.join(CRS_IDS)}; required for CSV/XLSX)")
    p.add_argument("--keep-columns", action="append", metavar="COL,COL", help="extra columns to accept (as import)")
    p.set_defaults(func=cmd_validate)

    p = add("import", "bring a file's stations into the registry (all or nothing; one change set in a store)")
    p.add_argument("file", metavar="FILE", help="CSV, XLSX, GeoJSON or GeoPackage")
    p.add_argument(
        "--crs",
        help=f"coordinate system of a spreadsheet's lon/lat ({', '.join(CRS_IDS)}; required for CSV/XLSX); "
        "GeoJSON and GeoPackage state their own",
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        help="add (default): new ids only, an existing id is an error; update: change existing ids and add new "
        "ones; replace: the file becomes the whole registry (stations missing from it are deleted)",
    )
    p.add_argument("--replace", action="store_true", help="the same as --mode replace")
    p.add_argument("--allow-empty", action="store_true", help="with --mode replace: accept a file with no station")
    p.add_argument("--dry-run", action="store_true", help="print the change set, field by field; change nothing")
    p.add_argument("--by", metavar="NAME", help="who imports (a store's revisions; default: import)")
    p.add_argument("--why", metavar="TEXT", help="the reason, for a store's revisions (default: import FILE)")
    p.add_argument(
        "--keep-columns",
        action="append",
        metavar="COL,COL",
        help="keep these extra columns (or GIS properties) as extra station properties; others are an error",
    )
    p.add_argument("--layer", metavar="NAME", help="the GeoPackage layer to read when the file has several")
    p.set_defaults(func=cmd_import)

    p = add("export", "write the registry as it is now as CSV / XLSX / GeoJSON / GeoPackage (by extension)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--crs", default="wgs84", help="coordinate system of CSV/XLSX lon/lat (GIS files: WGS-84)")
    p.set_defaults(func=cmd_export)

"""The revision commands: `locator edit|close|delete|verify|revert|backup` (this module), `init`
(cli_init.py), `history|changes` (cli_feed.py) and `user add|list|revoke` (cli_users.py).

Every write is one change set through `Store.commit` and prints one line saying what happened
(`XC-01: revision 3 (seq 41)`, or `no change`). A command built from the station as read (edit,
close, verify) commits against the revision it read, so a change made meanwhile is never lost:
without `--if-rev` it is read again and the edit re-applied; with `--if-rev N` it is refused
(exit 3). These commands need a store; on a GeoJSON registry they say how to make one.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locator.cli_edits import change_amenities, moved_point, set_fields
from locator.errors import InvalidParameter, RegistryInvalid, StationDeleted, StationNotFound
from locator.model import Station
from locator.store import Change, CommitResult, RevisionConflict, Store, StoreError, kind_of, open_store
from locator.store.features import changed_fields, station_from_json, to_json
from locator.validate import check_feature, today_in_beijing

Add = Callable[[str, str], argparse.ArgumentParser]
#: how often an edit is re-applied when the station changes between reading and writing it
RETRIES = 5


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def open_for(args: argparse.Namespace) -> Store:
    """The store of `--registry`; a GeoJSON registry is refused with the way to make a store."""
    value = str(args.registry)
    if kind_of(value) == "geojson":
        raise StoreError(
            f"{value} is a GeoJSON registry, which keeps no history: `locator {args.command}` needs a store; "
            f"make one with `locator init --registry registry.sqlite --from {value}`"
        )
    return open_store(value)


def text_flag(value: str | None, flag: str) -> str:
    """--by / --why: required, not blank, one line of printable text (it is shown in `history`
    and the console: a control character could rewrite a staff member's terminal), ≤ 500 chars."""
    text = (value or "").strip()
    if not text:
        raise InvalidParameter(flag, "must not be blank (say who made the change and why)")
    if any(c in text for c in "\r\n"):
        raise InvalidParameter(flag, "must be one line")
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf")), None)
    if bad is not None:
        raise InvalidParameter(flag, f"contains an invisible or control character (U+{ord(bad):04X}); remove it")
    if len(text) > 500:
        raise InvalidParameter(flag, f"is {len(text)} characters long; at most 500")
    return text


def whole(value: str, flag: str, low: int = 1) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise InvalidParameter(flag, f"{value!r} is not a whole number") from None
    if n < low:
        raise InvalidParameter(flag, f"{value!r} must be {low} or more")
    return n


def checked(station_id: str, feature: dict[str, Any]) -> Station:
    """The feature as a Station once `check_feature` accepts it; every problem otherwise (exit 1)."""
    station, problems = check_feature(station_id, feature)
    if station is None or any(not p.warning for p in problems):
        raise RegistryInvalid(station_id, problems)
    for p in problems:
        out(str(p))
    return station


def report(station_id: str, result: CommitResult) -> None:
    if result.revisions:
        r = result.revisions[0]
        out(f"{station_id}: revision {r.rev} (seq {r.seq})")
    else:
        out(f"{station_id}: no change")


def rewrite(
    store: Store,
    station_id: str,
    make: Callable[[Station], Station | None],
    op: Callable[[Station, Station | None], str],
    args: argparse.Namespace,
    if_rev: int | None = None,
) -> CommitResult:
    """Commit `make(current)` against the revision it was made from (see the module docstring)."""
    by, why = text_flag(args.by, "--by"), text_flag(getattr(args, "why", None) or args.default_why, "--why")
    for attempt in range(RETRIES):
        cur = store.get(station_id)
        if cur is None:
            revs = store.history(station_id)
            if revs and revs[-1].after is None:
                last = revs[-1]
                raise StationDeleted(station_id, last.rev, last.at, last.by)
            raise StationNotFound(station_id)
        if if_rev is not None and cur.rev != if_rev:
            raise RevisionConflict(station_id, if_rev, cur.rev)
        new = make(cur.station)
        try:
            return store.commit([Change(station_id, new, op(cur.station, new), if_rev=cur.rev)], by=by, why=why)
        except RevisionConflict:
            if if_rev is not None or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


# -- edit, close, delete, verify -----------------------------------------------------------------
def cmd_edit(args: argparse.Namespace) -> int:
    if_rev = None if args.if_rev is None else whole(args.if_rev, "--if-rev")
    point = moved_point(args.move, args.crs) if args.move else None
    if args.crs is not None and not args.move:
        raise InvalidParameter("--crs", "applies to --move only")
    if not (args.set or args.add_amenity or args.remove_amenity or point):
        raise InvalidParameter("ID", "nothing to change: give --set, --add-amenity, --remove-amenity or --move")
    store = open_for(args)

    def make(station: Station) -> Station:
        feature = station.feature()
        props = feature["properties"]
        set_fields(props, station, list(args.set or ()))
        change_amenities(props, args.add_amenity, args.remove_amenity)
        if point is not None:
            feature["geometry"]["coordinates"] = point
        return checked(args.id, feature)

    def op(old: Station, new: Station | None) -> str:
        return "move" if changed_fields(to_json(old), to_json(new) if new else None) == ["geometry"] else "edit"

    report(args.id, rewrite(store, args.id, make, op, args, if_rev))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    store = open_for(args)
    result = rewrite(store, args.id, lambda s: dataclasses.replace(s, status="closed"), lambda *_: "close", args)
    report(args.id, result)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    store = open_for(args)
    try:
        report(args.id, rewrite(store, args.id, lambda _s: None, lambda *_: "delete", args))
    except StationDeleted as gone:  # deleting twice changes nothing, as an unchanged edit does
        out(f"{args.id}: no change (already deleted at revision {gone.rev})")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    today = today_in_beijing()
    day = today if args.on is None else _date(args.on)
    if day > today:
        raise InvalidParameter("--on", f"{day.isoformat()} is in the future (today is {today.isoformat()} in Beijing)")
    store = open_for(args)
    result = rewrite(store, args.id, lambda s: dataclasses.replace(s, verified_at=day), lambda *_: "verify", args)
    report(args.id, result)
    return 0


def _date(text: str) -> dt.date:
    from locator.io.cells import field_text

    try:
        value = field_text("verified_at", text)
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise InvalidParameter("--on", f"{text!r} is not a date (YYYY-MM-DD)") from None


# -- revert, backup ----------------------------------------------------------------------------
def cmd_revert(args: argparse.Namespace) -> int:
    rev = whole(args.rev, "REV")
    by, why = text_flag(args.by, "--by"), text_flag(args.why, "--why")
    store = open_for(args)
    history = store.history(args.id)
    if not history:
        raise StationNotFound(args.id)
    target = next((r for r in history if r.rev == rev), None)
    if target is None:
        raise InvalidParameter("REV", f"{args.id} has no revision {rev} (it has 1 to {history[-1].rev})")
    cur = store.get(args.id)
    if target.after is None and cur is None:
        out(f"{args.id}: no change (already deleted, as at revision {rev})")
        return 0
    after = None if target.after is None else station_from_json(target.after)
    change = Change(args.id, after, "revert", if_rev=cur.rev if cur else None, expect="existing" if cur else "new")
    report(args.id, store.commit([change], by=by, why=why))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = open_for(args)
    dest = Path(args.file)
    if dest.exists() and dest.resolve() == Path(store.location).resolve():
        raise InvalidParameter("FILE", f"{dest} is the store itself: name another file")
    if dest.is_dir():
        raise InvalidParameter("FILE", f"{dest} is a folder, not a file")
    if kind_of(dest) != "sqlite":  # a copy named .geojson would later be read as GeoJSON
        raise InvalidParameter("FILE", f"{dest}: name the copy *.sqlite or *.db (it is a SQLite store)")
    head, count = store.head(), store.count()
    store.backup(dest)
    out(f"{store.location}: backed up to {dest} ({count} stations, up to seq {head})")
    return 0


# -- parsers -----------------------------------------------------------------------------------
def add_parsers(add: Add, parser_class: type[argparse.ArgumentParser]) -> None:
    from locator import cli_feed, cli_init, cli_users
    from locator.coords import CRS_IDS

    crs_help = f"({', '.join(CRS_IDS)})"

    def who(p: argparse.ArgumentParser, why: bool = True) -> None:
        p.add_argument("--by", metavar="NAME", help="who makes the change (required)")
        if why:
            p.add_argument("--why", metavar="TEXT", help="why (required)")
        p.set_defaults(default_why=None)

    cli_init.add_parser(add)

    p = add("edit", "change one station (one revision)")
    p.add_argument("id", metavar="ID")
    who(p)
    p.add_argument("--set", action="append", metavar="FIELD=VALUE", help="set a field (empty VALUE clears it)")
    p.add_argument("--add-amenity", action="append", metavar="A", help="add an amenity (repeatable)")
    p.add_argument("--remove-amenity", action="append", metavar="A", help="remove an amenity (repeatable)")
    p.add_argument("--move", metavar="LAT,LON", help="move the station (needs --crs)")
    p.add_argument("--crs", help=f"of --move {crs_help}")
    p.add_argument("--if-rev", metavar="N", help="refuse (exit 3) unless the station is at revision N")
    p.set_defaults(func=cmd_edit)

    for name, func, what in (("close", cmd_close, "mark a station closed"), ("delete", cmd_delete, "delete a station")):
        p = add(name, f"{what} (one revision)")
        p.add_argument("id", metavar="ID")
        who(p)
        p.set_defaults(func=func)

    p = add("verify", "record that a station was confirmed on site (sets verified_at)")
    p.add_argument("id", metavar="ID")
    who(p, why=False)
    p.add_argument("--why", metavar="TEXT", help="default: confirmed on site")
    p.add_argument("--on", metavar="DATE", help="the day it was confirmed (default: today in Beijing)")
    p.set_defaults(func=cmd_verify, default_why="confirmed on site")

    p = add("revert", "a new revision whose content equals revision REV")
    p.add_argument("id", metavar="ID")
    p.add_argument("rev", metavar="REV")
    who(p)
    p.set_defaults(func=cmd_revert)

    p = add("backup", "a consistent copy of the store, while it is in use")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_backup)

    cli_feed.add_parsers(add)
    cli_users.add_parsers(add, parser_class)

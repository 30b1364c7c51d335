"""`locator history ID` and `locator changes`: reading the revision log.

Their `--json` output has the contract's shapes, the same objects as
`GET /collections/stations/items/{id}/history` and `GET /changes`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Final

import orjson

from locator.errors import InvalidParameter, StationNotFound
from locator.store import Revision
from locator.store.base import feed_latest
from locator.store.features import changed_fields
from locator.store.feed import changes_page, history_doc

#: `changes --limit`: default and largest page
LIMIT_DEFAULT: Final = 100
LIMIT_MAX: Final = 10_000


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _json(doc: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


def _feature(raw: bytes | None) -> Any:
    return orjson.loads(raw) if raw is not None else None


def _value(side: dict[str, Any] | None, field: str) -> str:
    if side is None:
        return "—"
    if field == "geometry":
        return orjson.dumps(side["geometry"]["coordinates"]).decode()
    props = side["properties"]
    return orjson.dumps(props[field]).decode() if field in props else "—"


def _history_text(revisions: list[Revision]) -> None:
    for r in revisions:
        _out(f"rev {r.rev}  seq {r.seq}  {r.at}  by {r.by}  {r.op}")
        _out(f"  why: {r.why}")
        old, new = _feature(r.before), _feature(r.after)
        if new is None:
            _out("  deleted")
            continue
        for field in changed_fields(r.before, r.after):
            _out(f"  {field}: {_value(old, field)} → {_value(new, field)}")


def cmd_history(args: argparse.Namespace) -> int:
    from locator.cli_store import open_for

    store = open_for(args)
    revisions = store.history(args.id)
    if not revisions:
        raise StationNotFound(args.id)
    if args.json:
        _json(history_doc(args.id, revisions, _feature))
    else:
        _history_text(revisions)
    return 0


def _count(value: str, flag: str, low: int, high: int | None = None) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise InvalidParameter(flag, f"{value!r} is not a whole number") from None
    if n < low or (high is not None and n > high):
        top = f" to {high}" if high is not None else " or more"
        raise InvalidParameter(flag, f"{value!r} must be {low}{top}")
    return n


def cmd_changes(args: argparse.Namespace) -> int:
    from locator.cli_store import open_for

    since = _count(args.since, "--since", 0, 2**63 - 1)  # SQLite integers are 64-bit
    limit = _count(args.limit, "--limit", 1, LIMIT_MAX)
    store = open_for(args)
    revisions = store.changes(since, limit)
    if args.json:
        _json(changes_page(revisions, since, store.head(), _feature))
        return 0
    for r in revisions:
        _out(f"seq {r.seq}  {r.station_id}  rev {r.rev}  {r.feed_op} ({r.op})  {r.at}  by {r.by}: {r.why}")
    last = feed_latest(revisions, since, store.head())
    more = " (more: ask again with --since {last})" if len(revisions) == limit else ""
    sys.stderr.write(f"{len(revisions)} change(s) after seq {since}; latest {last}{more.format(last=last)}\n")
    return 0


def add_parsers(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add("history", "every revision of one station, oldest first, with the fields that changed")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help='print {"id", "revisions": [...]}')
    p.set_defaults(func=cmd_history)

    p = add("changes", "the change feed: every change after --since, oldest first")
    p.add_argument("--since", default="0", metavar="SEQ", help="changes after this sequence number (default 0)")
    p.add_argument("--limit", default=str(LIMIT_DEFAULT), metavar="N", help=f"at most N (default 100, max {LIMIT_MAX})")
    p.add_argument("--json", action="store_true", help="print the same object as GET /changes")
    p.set_defaults(func=cmd_changes)

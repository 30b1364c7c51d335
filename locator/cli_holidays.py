"""`locator holidays import NOTICE.txt` and `locator holidays list`: the holiday table kept current
from the State Council's yearly notice (see locator/holiday_notice.py).

The table written is the one in use: `$LOCATOR_HOLIDAYS`; else the user's copy
(`$XDG_DATA_HOME/locator/holidays_cn.csv`) when it exists; else the shipped table when it is
writable (an editable checkout); else a new user copy made from the shipped table, which
`holidays_path()` then prefers.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from locator.errors import InvalidParameter, Problem
from locator.holiday_notice import conflicts, merged_table, parse_notice
from locator.holidays import DEFAULT_HOLIDAYS, load_holidays, parse_holidays, user_holidays_path
from locator.registry import atomic_write


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def writable_table() -> Path:
    env = os.environ.get("LOCATOR_HOLIDAYS")
    if env:
        return Path(env)
    user = user_holidays_path(os.environ.get("XDG_DATA_HOME"), Path.home())
    if user.is_file():
        return user
    if os.access(DEFAULT_HOLIDAYS, os.W_OK) and os.access(DEFAULT_HOLIDAYS.parent, os.W_OK):
        return DEFAULT_HOLIDAYS
    return user


def _read_notice(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidParameter("NOTICE", f"{path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidParameter("NOTICE", f"{path}:{line}: not UTF-8 text (save the notice as UTF-8)") from None


def cmd_holidays_import(args: argparse.Namespace) -> int:
    notice_path = Path(args.notice)
    year = None
    if args.year is not None:
        if not args.year.isdigit() or not 2000 <= int(args.year) <= 2200:
            raise InvalidParameter("--year", f"{args.year!r} is not a year (2000–2200)")
        year = int(args.year)
    notice = parse_notice(_read_notice(notice_path), str(notice_path), year)
    target = writable_table()
    base = target if target.exists() else DEFAULT_HOLIDAYS
    raw = base.read_bytes()
    cal = parse_holidays(base, raw)  # a broken table stops here (exit 2, naming the line)
    problems: list[Problem] = list(notice.problems)
    if not problems and notice.year is not None:
        existing = {d: "off" for d in cal.days_off} | {d: "workday" for d in cal.workdays}
        problems += conflicts(notice.rows, existing, cal.years, notice.year, str(target), args.replace_year)
    if problems or notice.year is None:
        for p in problems:
            _out(str(p))
        _err(f"{notice_path}: {len(problems)} problem(s); the holiday table was not changed")
        return 1
    text, added = merged_table(raw.decode("utf-8-sig"), notice.rows, notice.year, args.replace_year)
    for day, kind, name in added:
        _out(f"{day.isoformat()},{kind},{name}")
    if args.dry_run:
        _err(f"{target}: would add {len(added)} row(s) for {notice.year} (dry run: nothing written)")
        return 0
    parse_holidays(target, text.encode())  # the result must load: never write a table that does not
    atomic_write(target, text.encode())
    _err(f"{target}: added {len(added)} row(s) for {notice.year}")
    return 0


def cmd_holidays_list(args: argparse.Namespace) -> int:
    cal = load_holidays()
    rows = sorted([(d, "off") for d in cal.days_off] + [(d, "workday") for d in cal.workdays])
    for day, kind in rows:
        if args.year is None or str(day.year) == args.year:
            _out(f"{day.isoformat()},{kind},{cal.names.get(day, '')}")
    cov = cal.coverage()
    _err(f"{cal.source}: " + (f"years {cov[0]}–{cov[1]}" if cov else "empty"))
    return 0


def add_parser(add: Callable[[str, str], argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    p = add("holidays", "the Chinese holiday table: add a year from the State Council's notice, list it")
    sub = p.add_subparsers(dest="holidays_command", required=True, parser_class=parser_class)
    imp = sub.add_parser("import", help="add the days of a notice (国务院办公厅关于20XX年部分节假日安排的通知)")
    imp.add_argument("notice", metavar="NOTICE", help="the notice's text (UTF-8)")
    imp.add_argument("--year", help="the notice's year (default: from its title)")
    imp.add_argument("--dry-run", action="store_true", help="check and print the rows; write nothing")
    imp.add_argument("--replace-year", action="store_true", help="replace the rows the table has for that year")
    imp.set_defaults(func=cmd_holidays_import)
    lst = sub.add_parser("list", help="print the table in use (date,kind,name)")
    lst.add_argument("--year", help="only this year")
    lst.set_defaults(func=cmd_holidays_list)

"""`locator holidays import NOTICE.txt` and `locator holidays list`: the holiday table kept current
from the State Council's yearly notice (see locator/holiday_notice.py).

The table written is the one in use: `$LOCATOR_HOLIDAYS`; else the user's copy
(`$XDG_DATA_HOME/locator/holidays_cn.csv`) when it exists; else the shipped table when it is
in a source checkout and writable (never inside site-packages: a reinstall would lose it); else a
new user copy made from the shipped table, which `holidays_path(env)` then prefers (both are
decided by locator.settings from the environment it reads). The table is read, checked and
written under its lock (locator.filelock), so concurrent imports lose nothing; a change made
meanwhile by a program without the lock refuses the write (exit 3).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from locator.atomic import atomic_write
from locator.errors import InvalidParameter, Problem
from locator.filelock import check_unchanged, exclusive
from locator.holiday_merge import conflicts, merged_table
from locator.holiday_notice import Notice, parse_notice
from locator.holidays import (
    DEFAULT_HOLIDAYS,
    HolidayTableInvalid,
    load_holidays,
    parse_holidays,
    table_in_use,
    user_holidays_path,
)


def _user_table(env: Mapping[str, str]) -> Path:
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return user_holidays_path(env.get("XDG_DATA_HOME"), home)


def holidays_path(env: Mapping[str, str]) -> Path:
    """The holiday table in use, from the environment given (locator.settings passes its own):
    `$LOCATOR_HOLIDAYS`, else the user's copy when it exists, else the shipped one."""
    return table_in_use(env.get("LOCATOR_HOLIDAYS"), _user_table(env))


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def in_source_checkout(table: Path) -> bool:
    """Whether `table` is the repository's own file (an editable checkout: the package's parent
    holds pyproject.toml), never a copy installed in site-packages/dist-packages, which a
    reinstall would overwrite."""
    where = table.resolve()
    root = Path(__file__).resolve().parent.parent
    if {"site-packages", "dist-packages"} & set(where.parts):
        return False
    return (root / "pyproject.toml").is_file() and where.is_relative_to(root)


def writable_table(env: Mapping[str, str]) -> Path:
    explicit = env.get("LOCATOR_HOLIDAYS")
    if explicit:
        return Path(explicit)
    user = _user_table(env)
    if user.is_file():
        return user
    shipped = DEFAULT_HOLIDAYS
    if in_source_checkout(shipped) and os.access(shipped, os.W_OK) and os.access(shipped.parent, os.W_OK):
        return shipped
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
    partial = bool(getattr(args, "partial", False))
    if partial and args.replace_year:
        raise InvalidParameter("--partial", "cannot be combined with --replace-year (that needs the whole notice)")
    notice = parse_notice(_read_notice(notice_path), str(notice_path), year, partial)
    target = args.settings.holidays_target
    if args.dry_run:  # writes nothing: no lock needed
        return _import(args, notice, notice_path, target, partial)
    with exclusive(target):  # read, check and write under the lock every writer of the table takes
        return _import(args, notice, notice_path, target, partial)


def _import(args: argparse.Namespace, notice: Notice, notice_path: Path, target: Path, partial: bool) -> int:
    base = target if target.exists() else DEFAULT_HOLIDAYS
    raw = base.read_bytes()
    digest = hashlib.sha256(raw).hexdigest() if base == target else ""  # "": the target did not exist
    cal = parse_holidays(base, raw)  # a broken table stops here (exit 2, naming the line)
    problems: list[Problem] = list(notice.problems)
    if not problems and notice.year is not None:
        existing = {d: "off" for d in cal.days_off} | {d: "workday" for d in cal.workdays}
        problems += conflicts(notice.rows, existing, notice.year, str(target), args.replace_year, partial)
    if problems or notice.year is None:
        for p in problems:
            _out(str(p))
        _err(f"{notice_path}: {len(problems)} problem(s); the holiday table was not changed")
        return 1
    data, added = merged_table(raw, notice.rows, notice.year, args.replace_year)
    merged = parse_holidays(target, data)  # the result must load: never write a table that does not
    for day, kind, name in added:
        if (day in merged.days_off) != (kind == "off") or merged.names.get(day) != name.strip():
            raise HolidayTableInvalid(str(target), [Problem(str(target), str(day), "did not read back as written")])
        _out(f"{day.isoformat()},{kind},{name}")
    if args.dry_run:
        _err(f"{target}: would add {len(added)} row(s) for {notice.year} (dry run: nothing written)")
        return 0
    check_unchanged(target, digest)  # a program that does not take the lock changed it: exit 3
    atomic_write(target, data)
    _err(f"{target}: added {len(added)} row(s) for {notice.year}")
    return 0


def cmd_holidays_list(args: argparse.Namespace) -> int:
    cal = load_holidays(args.settings.holidays)
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
    imp.add_argument(
        "--partial",
        action="store_true",
        help="accept a notice that names only some statutory holidays (a supplementary notice); "
        "its days are added to the year's rows and must agree with them",
    )
    imp.set_defaults(func=cmd_holidays_import)
    lst = sub.add_parser("list", help="print the table in use (date,kind,name)")
    lst.add_argument("--year", help="only this year")
    lst.set_defaults(func=cmd_holidays_list)

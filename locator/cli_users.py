"""`locator user add|list|revoke`: who may write through the API.

`user add` prints the new token once, alone on the last line of its output (so a script can take
it with `tail -n 1`); the store keeps only its SHA-256 (store/tokens.py). A lost token is not
recoverable: revoke the user and add it again.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Final

from locator.errors import InvalidParameter
from locator.store.base import ROLES
from locator.store.tokens import new_token, token_hash

_NAME: Final = re.compile(r"^[^\s\x00-\x1f]{1,100}$")


def _name(value: str) -> str:
    name = value.strip()
    if not _NAME.match(name):
        raise InvalidParameter("NAME", f"{value!r} must be 1 to 100 characters without spaces")
    return name


def cmd_user_add(args: argparse.Namespace) -> int:
    from locator.cli_store import open_for, out

    name = _name(args.name)
    store = open_for(args)
    token = new_token()
    user = store.add_user(name, args.role, token_hash(token))
    out(f"user {user.name} added ({user.role}); their API token, shown only this once:")
    out(token)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from locator.cli_store import err, open_for, out

    users = open_for(args).users()
    for u in users:
        state = f"revoked {u.revoked_at}" if u.revoked_at else "active"
        out(f"{u.name}\t{u.role}\tadded {u.created_at}\t{state}")
    err(f"{len(users)} user(s)")
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    from locator.cli_store import open_for, out

    store = open_for(args)
    name = _name(args.name)
    before = {u.name: u for u in store.users()}.get(name)
    user = store.revoke_user(name)
    if before is not None and before.revoked_at is not None:
        out(f"user {name}: already revoked ({user.revoked_at}); no change")
    else:
        out(f"user {name}: revoked; their token no longer works")
    return 0


def add_parsers(
    add: Callable[[str, str], argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]
) -> None:
    p = add("user", "the people who may write through the API: add, list, revoke")
    sub = p.add_subparsers(dest="user_command", required=True, parser_class=parser_class)

    def sub_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--registry", metavar="PATH", default=argparse.SUPPRESS, help="the store")
        return q

    q = sub_parser("add", "add a user; prints their API token once (the last line)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=ROLES, help="editor: edits and reports; admin: also users")
    q.set_defaults(func=cmd_user_add)
    q = sub_parser("list", "every user, with role and state")
    q.set_defaults(func=cmd_user_list)
    q = sub_parser("revoke", "revoke a user's token")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=cmd_user_revoke)

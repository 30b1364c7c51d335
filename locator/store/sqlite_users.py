"""Staff accounts of a SQLite store: a name, a role and the SHA-256 of an API token."""

from __future__ import annotations

import datetime as dt
import sqlite3

from locator.store.base import ROLES, Role, StoreError, User


def utc_now(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SqliteUsers:
    """The users table; mixed into SqliteStore, which gives the connection and the error mapping."""

    def _con(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _write_error(self, exc: sqlite3.OperationalError) -> StoreError:
        raise NotImplementedError

    def add_user(self, name: str, role: Role, token_hash: str) -> User:
        if role not in ROLES:
            raise StoreError(f"role: {role!r} is not one of {', '.join(ROLES)}")
        at = utc_now()
        # a revoked user's name may be given again (a new token, the old one stays dead)
        sql = (
            "INSERT INTO users VALUES (?, ?, ?, ?, NULL) ON CONFLICT (name) DO UPDATE SET role = excluded.role,"
            " token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = NULL"
            " WHERE users.revoked_at IS NOT NULL"
        )
        try:
            cur = self._con().execute(sql, (name, role, token_hash, at))
        except sqlite3.IntegrityError:
            raise StoreError(f"user {name!r}: token clash; run the command again") from None
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        if cur.rowcount == 0:
            raise StoreError(f"user {name!r} already exists (revoke it first, or choose another name)")
        return User(name, role, at, None)

    def users(self) -> list[User]:
        rows = self._con().execute("SELECT name, role, created_at, revoked_at FROM users ORDER BY name")
        return [User(*r) for r in rows]

    def revoke_user(self, name: str) -> User:
        con = self._con()
        try:
            con.execute("UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (utc_now(), name))
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        row = con.execute("SELECT name, role, created_at, revoked_at FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no user named {name!r}")
        return User(*row)

    def user_for_token(self, token_hash: str) -> User | None:
        sql = "SELECT name, role, created_at, revoked_at FROM users WHERE token_hash = ? AND revoked_at IS NULL"
        row = self._con().execute(sql, (token_hash,)).fetchone()
        return User(*row) if row else None

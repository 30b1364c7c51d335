"""The embedded store: one SQLite file in WAL mode (stdlib sqlite3; no extensions needed).

Writers take SQLite's write lock up front (`BEGIN IMMEDIATE`), so two writers queue instead of
losing each other's work, and a writer killed at any point leaves the file before or after its
change set (SQLite's journal). `synchronous=NORMAL` in WAL mode survives a killed process; only
a power cut can lose the last commits, never corrupt the file. Readers never block writers.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from locator import vocab
from locator.errors import Problem, RegistryInvalid, StationNotFound
from locator.model import Station
from locator.nearest import STATUS_CODE, amenity_mask
from locator.store.base import (
    Change,
    CommitResult,
    Current,
    Revision,
    RevisionConflict,
    StoreError,
)
from locator.store.features import station_from_json, to_json
from locator.store.schema import SCHEMA, SCHEMA_VERSION
from locator.store.sqlite_reports import SqliteReports
from locator.store.sqlite_users import SqliteUsers, utc_now

BUSY_TIMEOUT_S: Final = 60.0
_REV_COLUMNS: Final = "seq, station_id, rev, at, by, why, op, before, after, changeset"


def _revision(row: tuple[Any, ...]) -> Revision:
    seq, sid, rev, at, by, why, op, before, after, changeset = row
    return Revision(seq, sid, rev, at, by, why, op, _bytes(before), _bytes(after), changeset)


def _bytes(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _row(station: Station, rev: int, seq: int, feature: str) -> tuple[Any, ...]:
    return (
        station.id, rev, seq, station.code, station.lon, station.lat, vocab.TYPE_CODE[station.type],
        amenity_mask(station.amenities), STATUS_CODE[station.status], station.opening_hours, feature,
    )  # fmt: skip


class SqliteStore(SqliteUsers, SqliteReports):
    """A registry with history in one SQLite file. Safe to share between threads (one
    connection per thread) and between processes (SQLite's locks)."""

    def __init__(self, path: Path, *, create: bool = False, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._timeout = busy_timeout_s
        self._local = threading.local()
        if not self.path.exists():
            if not create:
                raise StoreError(f"{self.path}: no store here; create it with `locator init --registry {self.path}`")
            self._create()
        elif self.path.is_file() and self.path.stat().st_size == 0:  # opening it would write a header
            raise StoreError(f"{self.path}: an empty file, not a registry store; delete it or name another file")
        self._check()

    # -- connections -------------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            try:
                con = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False)
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
                con.execute("PRAGMA foreign_keys=ON")
            except sqlite3.OperationalError as exc:  # a full disk, a read-only folder: not the file's fault
                raise self._write_error(exc) from None
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: not a registry store ({exc})") from None
            self._local.con = con
        return con

    def _create(self) -> None:
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path.parent}: no such folder")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        tmp.unlink(missing_ok=True)
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript("BEGIN;" + SCHEMA + "COMMIT;")
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            con.execute("PRAGMA journal_mode=DELETE")  # no -wal beside the temporary name
        finally:
            con.close()
        try:
            os.link(tmp, self.path)  # never replaces a store another process created meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)

    def _check(self) -> None:
        try:
            row = self._con().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a registry store ({exc})") from None
        if row is None or not row[0].isdigit():
            raise StoreError(f"{self.path}: not a registry store (no schema version)")
        if int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer locator (schema {row[0]}); upgrade this one")

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def data_version(self) -> int:
        """Changes when another connection commits (SQLite's `PRAGMA data_version`, ~µs)."""
        return int(self._con().execute("PRAGMA data_version").fetchone()[0])

    # -- reading -----------------------------------------------------------------------------
    def head(self) -> int:
        row = self._con().execute("SELECT max(seq) FROM revisions").fetchone()
        return int(row[0] or 0)

    def count(self) -> int:
        return int(self._con().execute("SELECT count(*) FROM stations").fetchone()[0])

    def get(self, station_id: str) -> Current | None:
        row = self._con().execute("SELECT feature, rev, seq FROM stations WHERE id = ?", (station_id,)).fetchone()
        return Current(station_from_json(row[0]), row[1], row[2]) if row else None

    def stations(self) -> Iterator[Station]:
        cur = self._con().execute("SELECT feature FROM stations ORDER BY rowid")
        while rows := cur.fetchmany(4096):
            for (feature,) in rows:
                yield station_from_json(feature)

    def columns(self) -> tuple[int, list[tuple[Any, ...]], list[int]]:
        """The head and, in one read transaction, every station's `(rowid, id as UTF-8 bytes, lon,
        lat, type_code, amenities, status_code, opening_hours)` in registry order, plus the rowids
        ordered by id (the primary key's order, bytewise), for loading columns without features."""
        con = self._con()
        con.execute("BEGIN")
        try:
            head = int(con.execute("SELECT max(seq) FROM revisions").fetchone()[0] or 0)
            sql = (
                "SELECT rowid, CAST(id AS BLOB), lon, lat, type_code, amenities, status_code, opening_hours"
                " FROM stations ORDER BY rowid"
            )
            rows = con.execute(sql).fetchall()
            by_id = [r[0] for r in con.execute("SELECT rowid FROM stations ORDER BY id")]
        finally:
            con.execute("COMMIT")
        return head, rows, by_id

    def head_mark(self, seq: int) -> str:
        """What identifies the log up to `seq` (its last revision), so a columnar snapshot taken at
        `seq` is never used for another store or a restored older copy."""
        row = self._con().execute("SELECT station_id, rev, at FROM revisions WHERE seq = ?", (seq,)).fetchone()
        return f"{seq}:{row[0]}:{row[1]}:{row[2]}" if row else f"{seq}:"

    def feature_as_of(self, rowid: int, station_id: str, seq: int) -> bytes | None:
        """A station's Feature JSON as it was at change `seq`: the current row when it has not
        changed since (the common case, one primary-key read), else the revision log."""
        con = self._con()
        row = con.execute("SELECT id, seq, feature FROM stations WHERE rowid = ?", (rowid,)).fetchone()
        if row is not None and row[0] == station_id and row[1] <= seq:
            return str(row[2]).encode()
        sql = "SELECT after FROM revisions WHERE station_id = ? AND seq <= ? ORDER BY rev DESC LIMIT 1"
        old = con.execute(sql, (station_id, seq)).fetchone()
        return _bytes(old[0]) if old else None

    def history(self, station_id: str) -> list[Revision]:
        sql = f"SELECT {_REV_COLUMNS} FROM revisions WHERE station_id = ? ORDER BY rev"
        return [_revision(r) for r in self._con().execute(sql, (station_id,))]

    def changes(self, since: int, limit: int) -> list[Revision]:
        sql = f"SELECT {_REV_COLUMNS} FROM revisions WHERE seq > ? ORDER BY seq LIMIT ?"
        return [_revision(r) for r in self._con().execute(sql, (since, limit))]

    # -- writing -----------------------------------------------------------------------------
    def commit(
        self,
        changes: Sequence[Change],
        *,
        by: str,
        why: str,
        now: dt.datetime | None = None,
        dry_run: bool = False,
    ) -> CommitResult:
        con = self._con()
        at = utc_now(now)
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        try:
            result = self._apply(con, changes, by, why, at)
            con.execute("ROLLBACK" if dry_run else "COMMIT")
        except BaseException as exc:
            self._rollback(con)
            if isinstance(exc, sqlite3.OperationalError):
                raise self._write_error(exc) from None
            raise
        return result

    def _rollback(self, con: sqlite3.Connection) -> None:
        """SQLite has already rolled back after some failures (a full disk at COMMIT); a
        connection that cannot roll back is closed, which releases its lock."""
        if not con.in_transaction:
            return
        try:
            con.execute("ROLLBACK")
        except sqlite3.Error:
            self.close()

    def _write_error(self, exc: sqlite3.OperationalError) -> StoreError:
        text, name = str(exc), getattr(exc, "sqlite_errorname", "") or ""
        # ENOSPC reaches us as SQLITE_FULL, or as a disk I/O error when -wal/-shm cannot grow
        if name == "SQLITE_FULL" or "full" in text or (name.startswith("SQLITE_IOERR") and self._disk_full()):
            return StoreError(f"{self.path}: the disk is full; nothing was changed")
        if name == "SQLITE_READONLY_DIRECTORY":
            return StoreError(
                f"{self.path}: the folder is read-only, and SQLite needs to create {self.path.name}-wal"
                " and -shm beside the store; nothing was changed"
            )
        if "locked" in text or "busy" in text:
            return StoreError(f"{self.path}: another writer held the store for {self._timeout:.0f} s; try again")
        if "readonly" in text:
            return StoreError(f"{self.path}: the store is read-only here; nothing was changed")
        return StoreError(f"{self.path}: {text}; nothing was changed")

    def _disk_full(self) -> bool:
        try:
            fs = os.statvfs(self.path.parent)
        except OSError:
            return False
        return fs.f_bavail * fs.f_frsize < 1 << 20

    def _apply(self, con: sqlite3.Connection, changes: Sequence[Change], by: str, why: str, at: str) -> CommitResult:
        cs: int | None = None  # written with the first revision: a set that changes nothing leaves no trace
        revisions: list[Revision] = []
        unchanged: list[str] = []
        problems: list[Problem] = []
        touched: list[Station] = []
        for ch in changes:
            row = con.execute("SELECT rev, feature FROM stations WHERE id = ?", (ch.station_id,)).fetchone()
            cur_rev, before = (row[0], row[1]) if row else (None, None)
            if ch.if_rev is not None and cur_rev != ch.if_rev:
                raise RevisionConflict(ch.station_id, ch.if_rev, cur_rev)
            if ch.expect == "new" and row is not None:
                problems.append(Problem(ch.station_id, "id", "already in the registry"))
                continue
            if row is None and (ch.expect == "existing" or ch.after is None):
                raise StationNotFound(ch.station_id)
            after = to_json(ch.after).decode() if ch.after is not None else None
            if after == before:
                unchanged.append(ch.station_id)
                continue
            last = con.execute("SELECT max(rev) FROM revisions WHERE station_id = ?", (ch.station_id,)).fetchone()[0]
            rev = (last or 0) + 1
            seq = con.execute(
                "INSERT INTO revisions (changeset, station_id, rev, at, by, why, op, before, after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cs := cs or self._changeset(con, at, by, why), ch.station_id, rev, at, by, why, ch.op, before, after),
            ).lastrowid
            assert seq is not None
            if ch.after is None:
                con.execute("DELETE FROM stations WHERE id = ?", (ch.station_id,))
            else:
                assert after is not None
                con.execute(
                    "INSERT INTO stations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                    " rev = excluded.rev, seq = excluded.seq, code = excluded.code, lon = excluded.lon,"
                    " lat = excluded.lat, type_code = excluded.type_code, amenities = excluded.amenities,"
                    " status_code = excluded.status_code, opening_hours = excluded.opening_hours,"
                    " feature = excluded.feature",
                    _row(ch.after, rev, seq, after),
                )
                touched.append(ch.after)
            revisions.append(Revision(seq, ch.station_id, rev, at, by, why, ch.op, _bytes(before), _bytes(after), cs))
        problems.extend(self._clashes(con, touched))
        if [p for p in problems if not p.warning]:
            raise RegistryInvalid(self.location, problems)
        return CommitResult(revisions, unchanged)

    @staticmethod
    def _changeset(con: sqlite3.Connection, at: str, by: str, why: str) -> int:
        cs = con.execute("INSERT INTO changesets (at, by, why) VALUES (?, ?, ?)", (at, by, why)).lastrowid
        assert cs is not None
        return cs

    @staticmethod
    def _clashes(con: sqlite3.Connection, touched: list[Station]) -> list[Problem]:
        """Ids equal but for case, and sign codes used twice, checked once every change is in
        (so two stations may swap codes within one change set)."""
        out: list[Problem] = []
        for st in touched:
            others = [r[0] for r in con.execute("SELECT id FROM stations WHERE id = ? COLLATE NOCASE", (st.id,))]
            if len(others) > 1:
                other = next(o for o in others if o != st.id)
                out.append(Problem(st.id, "id", f"differs from {other!r} only in case; ids must differ in more"))
            if st.code is not None:
                sql = "SELECT id FROM stations WHERE code = ? AND id != ? LIMIT 1"
                clash = con.execute(sql, (st.code, st.id)).fetchone()
                if clash:
                    out.append(Problem(st.id, "code", f"{st.code!r} is already the code of {clash[0]!r}"))
        return out

    # -- backup ------------------------------------------------------------------------------
    def backup(self, dest: Path) -> None:
        """A consistent copy while writers go on (SQLite's online backup API), written under a
        temporary name and renamed into place."""
        dest = Path(dest)
        if not dest.parent.is_dir():
            raise StoreError(f"{dest.parent}: no such folder")
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
        try:
            out = sqlite3.connect(tmp)
            try:
                self._con().backup(out, pages=-1)
                out.execute("PRAGMA journal_mode=DELETE")
            finally:
                out.close()
            tmp.replace(dest)
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        finally:
            tmp.unlink(missing_ok=True)

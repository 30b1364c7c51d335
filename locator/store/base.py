"""What every registry store offers, whatever holds it (SQLite now, PostgreSQL next).

A store keeps the current stations and an append-only log of revisions. Every change is written
through `commit`: one change set (one reason, one author) in one transaction, each station's
revision number and the registry-wide change sequence (`seq`) assigned inside it. The faces
(CLI, API, console) and the serving index only ever talk to this interface.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from locator.errors import LocatorError
from locator.model import Station

Role = Literal["editor", "admin"]
ROLES: tuple[Role, ...] = ("editor", "admin")
#: what a revision did; the change feed reduces them to "upsert" and "delete"
OPS = ("create", "edit", "move", "close", "delete", "verify", "revert", "import", "report")
#: what a worker may report about a station (fixed by the contract: POST /stations/{id}/reports)
REPORT_KINDS = ("closed", "not_open_at_hours", "wrong_location", "amenity_missing", "other")
ReportStatus = Literal["open", "accepted", "dismissed"]
REPORT_STATUSES: tuple[ReportStatus, ...] = ("open", "accepted", "dismissed")


class StoreError(LocatorError):
    """A store could not be opened or used (missing, not a store, newer schema)."""


class RevisionConflict(LocatorError):
    """`--if-rev` / If-Match named a revision the station has moved past (CLI exit 3, HTTP 412)."""

    def __init__(self, station_id: str, expected: int, actual: int | None) -> None:
        if actual is not None and expected > actual:  # a typo more likely than a race
            msg = f"{station_id}: is at revision {actual}; it never had revision {expected}"
        else:
            now = f"is at revision {actual}" if actual is not None else "no longer exists"
            msg = f"{station_id}: changed meanwhile: expected revision {expected}, the station {now}"
        super().__init__(msg)
        self.station_id, self.expected, self.actual = station_id, expected, actual


@dataclass(frozen=True, slots=True)
class Change:
    """One station's new content (`after`; None deletes it). `expect` is checked in the
    transaction: "new" refuses an existing id, "existing" a missing one."""

    station_id: str
    after: Station | None
    op: str
    if_rev: int | None = None
    expect: Literal["new", "existing", "any"] = "any"


@dataclass(frozen=True, slots=True)
class Revision:
    seq: int
    station_id: str
    rev: int
    at: str  # UTC, ISO 8601 with Z
    by: str
    why: str
    op: str
    before: bytes | None  # the Feature as JSON; None before the station existed
    after: bytes | None  # None when this revision deleted the station
    changeset: int = 0  # the change set (one commit) it belongs to; a follower applies whole ones

    @property
    def feed_op(self) -> Literal["upsert", "delete"]:
        return "delete" if self.after is None else "upsert"


def feed_latest(revisions: Sequence[Revision], since: int, head: int) -> int:
    """`latest` of a change-feed page: the last seq in it, which a client asks from next (so a
    page cut by `limit` never makes it skip changes); for an empty page `since`, or the head
    when `since` is past it (a store restored from an older backup: the client starts over)."""
    return revisions[-1].seq if revisions else min(since, head)


@dataclass(frozen=True, slots=True)
class Current:
    station: Station
    rev: int
    seq: int


@dataclass(frozen=True, slots=True)
class CommitResult:
    revisions: list[Revision]  # in seq order; unchanged stations get none
    unchanged: list[str]  # ids whose new content equalled their current one

    @property
    def latest(self) -> int | None:
        return self.revisions[-1].seq if self.revisions else None


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class Report:
    """A worker's report about a station. It never changes the station by itself: an editor
    accepts it (possibly with a change, committed in the same transaction; `seq` is then the
    change set's last revision) or dismisses it."""

    id: int
    station_id: str
    kind: str  # one of REPORT_KINDS
    note: str
    contact: str | None  # personal data: shown to editors only
    at: str  # UTC, ISO 8601 with Z
    status: ReportStatus
    resolved_by: str | None = None
    resolved_at: str | None = None
    resolution_note: str | None = None
    seq: int | None = None


class Store(Protocol):
    """A registry with history. Implementations: SqliteStore (store/sqlite.py)."""

    location: str

    def head(self) -> int:
        """The latest change sequence number (0 for an empty log)."""
        ...

    def count(self) -> int: ...

    def data_version(self) -> int:
        """A cheap number that changes when another connection has committed (polled by followers)."""
        ...

    def get(self, station_id: str) -> Current | None: ...

    def stations(self) -> Iterator[Station]:
        """Current stations in the order they were first added."""
        ...

    def commit(
        self,
        changes: Sequence[Change],
        *,
        by: str,
        why: str,
        now: dt.datetime | None = None,
        dry_run: bool = False,
    ) -> CommitResult:
        """All changes or none, as one change set; raises RevisionConflict, RegistryInvalid.
        `dry_run` makes every check of a real commit, then rolls back (what `--dry-run` shows)."""
        ...

    def columns(self) -> tuple[int, list[tuple[Any, ...]], list[int]]:
        """Head, station rows for columnar loading, rowids by id (see SqliteStore.columns)."""
        ...

    def head_mark(self, seq: int) -> str: ...

    def feature_as_of(self, rowid: int, station_id: str, seq: int) -> bytes | None: ...

    def history(self, station_id: str) -> list[Revision]: ...

    def changes(self, since: int, limit: int) -> list[Revision]: ...

    def add_user(self, name: str, role: Role, token_hash: str) -> User: ...

    def users(self) -> list[User]: ...

    def revoke_user(self, name: str) -> User: ...

    def user_for_token(self, token_hash: str) -> User | None: ...

    def add_report(
        self, station_id: str, kind: str, note: str, contact: str | None, now: dt.datetime | None = None
    ) -> Report:
        """A new open report; StationNotFound when the station does not exist now."""
        ...

    def reports(
        self, status: ReportStatus | None = None, station_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Report]:
        """Reports newest first, optionally only of one status and/or station."""
        ...

    def get_report(self, report_id: int) -> Report | None: ...

    def resolve_report(
        self,
        report_id: int,
        status: Literal["accepted", "dismissed"],
        *,
        by: str,
        note: str,
        change: Change | None = None,
        why: str = "",
        now: dt.datetime | None = None,
    ) -> tuple[Report, CommitResult | None]:
        """Accept or dismiss an open report; with `change` (accepting only) the revision and the
        report's resolution are one transaction. StoreError naming the report when it is missing
        or already resolved."""
        ...

    def backup(self, dest: Path) -> None: ...

    def close(self) -> None: ...

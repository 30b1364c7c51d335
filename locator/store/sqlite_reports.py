"""Worker reports in a SQLite store (see base.Report). Not built yet: every call says so."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from locator.store.base import Change, CommitResult, Report, ReportStatus, StoreError

NOT_YET = "worker reports are not supported by this version of the store"


class SqliteReports:
    """The reports table; mixed into SqliteStore."""

    def add_report(
        self, station_id: str, kind: str, note: str, contact: str | None, now: dt.datetime | None = None
    ) -> Report:
        raise StoreError(NOT_YET)

    def reports(
        self, status: ReportStatus | None = None, station_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Report]:
        raise StoreError(NOT_YET)

    def get_report(self, report_id: int) -> Report | None:
        raise StoreError(NOT_YET)

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
        raise StoreError(NOT_YET)

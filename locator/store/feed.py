"""The JSON shapes of the change feed and of a station's history (the product contract), built
once for both faces: `locator changes/history --json` and `GET /changes`, `…/history`.

`feature` renders a revision's stored Feature JSON: the API embeds the bytes as they are
(`orjson.Fragment`), the CLI parses them so its output can be indented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from locator.store.base import Revision, feed_latest
from locator.store.features import changed_fields

Render = Callable[[bytes | None], Any]


def change_entry(r: Revision, feature: Render) -> dict[str, Any]:
    return {"seq": r.seq, "id": r.station_id, "rev": r.rev, "op": r.feed_op, "at": r.at, "feature": feature(r.after)}


def changes_page(revisions: Sequence[Revision], since: int, head: int, feature: Render) -> dict[str, Any]:
    """`{"changes", "latest", "links": []}`; the API adds its `next` link."""
    return {
        "changes": [change_entry(r, feature) for r in revisions],
        "latest": feed_latest(revisions, since, head),
        "links": [],
    }


def history_doc(station_id: str, revisions: Sequence[Revision], feature: Render) -> dict[str, Any]:
    entries = [
        {
            "rev": r.rev, "seq": r.seq, "at": r.at, "by": r.by, "why": r.why, "op": r.op,
            "changed": changed_fields(r.before, r.after), "feature": feature(r.after),
        }
        for r in revisions
    ]  # fmt: skip
    return {"id": station_id, "revisions": entries}

"""The store's revision log over HTTP: GET /changes (the change feed) and a station's history.

Both read the store directly (not the served Locator), so they answer up to the store's head
even while a worker is still applying the latest change set. Stored features are embedded as
the JSON the store holds (`orjson.Fragment`), never parsed again; a page costs the same at any
`since` (the query walks the `seq` primary key). The handlers are plain functions, so FastAPI
runs them in its thread pool and a slow disk never holds up the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from locator.api.deps import FormatJson
from locator.api.errors import ERROR_RESPONSES, NOT_FOUND, ErrorBody, error_response
from locator.api.holder import LocatorHolder
from locator.api.routes.ogc import ItemId
from locator.api.schemas import LinkOut, PointOut, _Open
from locator.errors import StationNotFound
from locator.store import Store
from locator.store.feed import changes_page, history_doc

router = APIRouter()
JSON: Final = "application/json"
MAX_SEQ: Final = 2**63 - 1
NO_HISTORY: Final = (
    "this registry has no history: it is a GeoJSON file, served without revisions; "
    "make a store with `locator init --from FILE` and serve that"
)
NO_STORE: Final[dict[int | str, dict[str, Any]]] = {
    409: {"model": ErrorBody, "description": "注册表没有历史记录 · the registry is a GeoJSON file (no history)"},
}

Since = Annotated[
    int, Query(ge=0, le=MAX_SEQ, description="从此变更序号之后 · changes after this sequence number (default 0)")
]
ChangesLimit = Annotated[int, Query(ge=1, le=10000, description="每页数量 · changes per page (1–10000)")]


class StoredFeatureOut(_Open):
    """The station as the store holds it: its registry properties, no computed open state."""

    type: Literal["Feature"]
    id: str
    geometry: PointOut
    properties: dict[str, Any]


class ChangeOut(_Open):
    seq: int = Field(description="变更序号 · change sequence number (one counter for the whole registry)")
    id: str
    rev: int = Field(description="该站点的修订号 · the station's revision number")
    op: Literal["upsert", "delete"]
    at: str = Field(description="UTC, ISO 8601")
    feature: StoredFeatureOut | None = Field(description="新内容；删除时为 null · the new content; null = deleted")


class ChangesOut(_Open):
    changes: list[ChangeOut]
    latest: int = Field(description="注册表最新变更序号 · the registry's latest sequence number")
    links: list[LinkOut]


class RevisionOut(_Open):
    rev: int
    seq: int
    at: str
    by: str
    why: str
    op: str
    changed: list[str]
    feature: StoredFeatureOut | None


class HistoryOut(_Open):
    id: str
    revisions: list[RevisionOut]


def _store(request: Request) -> Store | None:
    holder: LocatorHolder = request.app.state.holder
    return holder.store


def _feature(raw: bytes | None) -> orjson.Fragment | None:
    return orjson.Fragment(raw) if raw is not None else None


def _json(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type=JSON, headers={"Cache-Control": "no-cache"})


@router.get(
    "/changes",
    summary="变更记录 · the change feed",
    description="自 `since` 之后的全部变更，按序号从旧到新；删除为墓碑（`feature: null`）。从 0 开始依次应用即得到完整"
    "注册表；保存 `latest`，下次从它开始。· Every change after `since`, oldest first; a deleted station is a "
    "tombstone (`op: delete`, `feature: null`). Applying every change from `since=0` to an empty map reproduces "
    "the registry; keep `latest` and ask again from it. A `next` link is given while more changes exist.",
    response_model=ChangesOut,
    responses={**ERROR_RESPONSES, **NO_STORE},
    tags=["changes"],
)
def changes(request: Request, since: Since = 0, limit: ChangesLimit = 100) -> Response:
    store = _store(request)
    if store is None:
        return error_response(409, "no_history", NO_HISTORY)
    revisions = store.changes(since, limit)
    head = store.head()  # read after the page, so it is never behind it
    body = changes_page(revisions, since, head, _feature)
    if revisions and body["latest"] < head:
        base = str(request.base_url).rstrip("/")
        href = f"{base}/changes?since={revisions[-1].seq}&limit={limit}"
        body["links"].append({"rel": "next", "href": href, "type": JSON})
    return _json(body)


@router.get(
    "/collections/stations/items/{item_id}/history",
    summary="站点修订历史 · a station's revisions",
    description="该站点的每一次修订，从旧到新，含改动的字段；已删除的站点也有历史。· Every revision of the "
    "station, oldest first, with the fields each one changed (as `locator history --json`); a deleted station "
    "keeps its history.",
    response_model=HistoryOut,
    responses={**ERROR_RESPONSES, **NOT_FOUND, **NO_STORE},
    tags=["changes"],
)
def history(request: Request, item_id: ItemId, f: FormatJson = None) -> Response:
    store = _store(request)
    if store is None:
        return error_response(409, "no_history", NO_HISTORY)
    revisions = store.history(item_id)
    if not revisions:
        raise StationNotFound(item_id)
    return _json(history_doc(item_id, revisions, _feature))

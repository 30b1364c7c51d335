"""Query models for hot endpoints: one pydantic validation per request, and the OpenAPI
parameter list generated from the same model.

FastAPI resolves each declared query parameter separately (~15 µs each here); /nearest has nine
and is called many times a second by other apps, so it validates the whole query string at once
(bench/bench_api.py measures the difference).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request

from locator.api.deps import AMENITY_DOC, AT_DOC, AT_EXAMPLE, CRS_DOC, DATE_TIME, CrsId
from locator.errors import InvalidParameter
from locator.model import AmenityId, TypeId
from locator.params import MAX_DISTANCE_M

M = TypeVar("M", bound=BaseModel)


class NearestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # unknown parameters → 400 (OGC)

    lat: float = Field(ge=-90, le=90, description="纬度 · latitude of the point, in `crs`", examples=[39.95])
    lon: float = Field(ge=-180, le=180, description="经度 · longitude of the point, in `crs`", examples=[116.38])
    k: int = Field(5, ge=1, le=1000, description="返回站点数 · how many stations (1–1000)")
    crs: CrsId = Field("wgs84", description=CRS_DOC)
    amenity: list[AmenityId] | None = Field(None, description=AMENITY_DOC)
    type: TypeId | None = Field(None, description="站点类型 · station type id")
    open_now: bool = Field(False, description="仅限此刻开放 · only stations open at `at`")
    at: str | None = Field(None, description=AT_DOC, examples=[AT_EXAMPLE], json_schema_extra=DATE_TIME)
    max_distance_m: float | None = Field(
        None, ge=0, le=MAX_DISTANCE_M, description="最大距离（米） · maximum great-circle distance in metres"
    )


_LISTS: dict[type[BaseModel], tuple[str, ...]] = {}


def _list_fields(model: type[BaseModel]) -> tuple[str, ...]:
    if model not in _LISTS:
        _LISTS[model] = tuple(name for name, f in model.model_fields.items() if "list" in str(f.annotation).lower())
    return _LISTS[model]


def parse_query(model: type[M], request: Request) -> M:
    """Validate the query string against `model`; the first problem becomes InvalidParameter."""
    qp = request.query_params
    data: dict[str, Any] = dict(qp)
    for name in _list_fields(model):
        values = qp.getlist(name)
        data[name] = values if values else None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        from locator.api.errors import validation_message

        err = exc.errors()[0]
        name = str(err["loc"][0]) if err.get("loc") else "query"
        if err.get("type") == "extra_forbidden":
            known = ", ".join(model.model_fields)
            raise InvalidParameter(name, f"unknown query parameter (this endpoint takes: {known})") from None
        raise InvalidParameter(name, validation_message(dict(err))) from None


def openapi_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI `parameters` for a query model (descriptions, bounds, enums, defaults)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema["properties"].items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        if name in _list_fields(model):
            param["style"] = "form"
            param["explode"] = True
        out.append(param)
    return out

"""Responses built after the session has closed: JSON bytes, version headers, paging links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json

JSON = "application/json"
T = TypeVar("T")

VERSION_HEADERS = {
    "ETag": {"description": 'The version as an entity tag: `"3"`.', "schema": {"type": "string"}},
    "Last-Modified-Version": {"description": "The version.", "schema": {"type": "integer"}},
}
LIBRARY_VERSION_HEADER = {
    "Last-Modified-Version": {
        "description": "The library's version: every change to the library raises it.",
        "schema": {"type": "integer"},
    }
}
LIST_HEADERS = {
    "Total-Results": {"description": "Matches over all pages.", "schema": {"type": "integer"}},
    "Link": {"description": "first, prev, next and last pages.", "schema": {"type": "string"}},
}
# The schema of a raw text body (an article, a manuscript, a file to import): any bytes are a
# text to read, and what cannot be read is reported, so no shape is required of it.
RAW_TEXT: dict[str, str] = {}
CREATED_HEADERS = {**VERSION_HEADERS, "Location": {"schema": {"type": "string"}}}


def text_body(description: str, model: str) -> dict[str, Any]:
    """``openapi_extra`` for a body that is plain text, Markdown, or JSON in the shape of the
    component schema ``model`` (FastAPI cannot describe such a body itself)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "text/plain": {"schema": RAW_TEXT},
                "text/markdown": {"schema": RAW_TEXT},
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}},
            },
        }
    }


def json_response(
    model: BaseModel,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    exclude_none: bool = False,
) -> Response:
    """A model as JSON (CSL spelling) without FastAPI's re-validation; ``exclude_none`` drops
    empty fields (for records, whose every field is optional)."""
    body = model.model_dump_json(by_alias=True, exclude_none=exclude_none)
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def record_response(record: Any, *, headers: dict[str, str] | None = None) -> Response:
    """JSON-ready data (dicts, lists, datetimes) as JSON."""
    return Response(to_json(record), media_type=JSON, headers=headers)


def not_modified(request: Request, etag: str) -> Response | None:
    """304 when the client's ``If-None-Match`` names ``etag`` (weakly compared, RFC 9110)."""
    wanted = request.headers.get("if-none-match")
    if wanted is None:
        return None
    tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
    if "*" in tags or etag.removeprefix("W/") in tags:
        return Response(status_code=304, headers={"ETag": etag})
    return None


def versioned(model: Any, *, status: int = 200, location: str | None = None) -> Response:
    """A record with ``version`` (all fields optional) as JSON with ``ETag`` and
    ``Last-Modified-Version``."""
    headers = {"ETag": f'"{model.version}"', "Last-Modified-Version": str(model.version)}
    if location:
        headers["Location"] = location
    return json_response(model, status=status, headers=headers, exclude_none=True)


def links(request: Request, start: int, limit: int, total: int) -> str:
    """RFC 8288 ``Link`` header with first / prev / next / last (the request's other query
    parameters kept as they came)."""
    last = max(0, (total - 1) // limit * limit)
    pages = {"first": 0, "last": last}
    if start > 0:
        pages["prev"] = max(0, min(start - limit, last))
    if start + limit < total:
        pages["next"] = start + limit
    url = request.url
    base = f"{url.scheme}://{url.netloc}{url.path}?"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("start", "limit")]
    query = urlencode(kept) + "&" if kept else ""
    return ", ".join(
        f'<{base}{query}start={at}&limit={limit}>; rel="{rel}"' for rel, at in pages.items()
    )


_adapters: dict[Any, TypeAdapter[Any]] = {}


def page(
    request: Request,
    items: Sequence[T],
    *,
    item_type: Any,
    total: int,
    start: int,
    limit: int,
    exclude_none: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """``{"data": [...], "count": total}`` with ``Total-Results`` and ``Link`` headers (and
    ``headers``); items
    of ``item_type`` (a model), or, with ``item_type`` None, ``items`` is the JSON array."""
    if item_type is None:
        data = bytes(items)  # type: ignore[arg-type]
    else:
        adapter = _adapters.get(item_type)
        if adapter is None:
            adapter = _adapters[item_type] = TypeAdapter(list[item_type])  # type: ignore[valid-type]
        data = adapter.dump_json(list(items), by_alias=True, exclude_none=exclude_none)
    body = b'{"data":%s,"count":%d}' % (data, total)
    headers = {
        "Total-Results": str(total),
        "Link": links(request, start, limit, total),
        **(headers or {}),
    }
    return Response(body, media_type=JSON, headers=headers)


def listed(
    request: Request, items: Sequence[T], *, item_type: Any, start: int, limit: int
) -> Response:
    """A page cut from a whole list a service returned."""
    return page(
        request,
        items[start : start + limit],
        item_type=item_type,
        total=len(items),
        start=start,
        limit=limit,
    )

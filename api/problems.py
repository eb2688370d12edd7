"""Errors as ``application/problem+json`` (RFC 9457): one handler per kind of failure."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.status import HTTP_500_INTERNAL_SERVER_ERROR
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import csl_loc
from citekit.errors import CitekitError, InvalidRecord, Unauthorized, VersionConflict

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("citekit.api")


class ProblemFieldError(BaseModel):
    """One invalid field: ``{"path": "creators.0.family", "msg": "...", "type": "..."}``."""

    loc: list[str | int]
    path: str
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document; ``errors`` lists field problems for a 422."""

    type: str = Field(default="about:blank", examples=["urn:citekit:problem:not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["no source with id or key 'smith2020'"])
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None
    current_version: int | None = Field(
        default=None, description="The stored version, on a 412 (stale If-Match)."
    )


def _slug(name: str) -> str:
    """``VersionConflict`` → ``version-conflict``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A ``application/problem+json`` response; ``extra`` adds members such as ``errors``."""
    body = Problem(
        type=type_, title=title, status=status, detail=detail, instance=instance, **extra
    ).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _citekit_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CitekitError)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidRecord):
        extra["errors"] = [_field_error(e.loc, e.msg, e.type) for e in exc.errors]
    if isinstance(exc, VersionConflict):
        extra["current_version"] = exc.current
        headers = {"Last-Modified-Version": str(exc.current), "ETag": f'"{exc.current}"'}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="citekit"'
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_=f"urn:citekit:problem:{_slug(type(exc).__name__)}",
        instance=request.url.path,
        headers=headers or None,
        **extra,
    )


def _field_error(loc: Sequence[Any], msg: str, type_: str) -> dict[str, Any]:
    path = csl_loc([p if isinstance(p, int) else str(p) for p in loc])
    return {"loc": path, "path": ".".join(map(str, path)) or "(record)", "msg": msg, "type": type_}


def _where(loc: tuple[Any, ...]) -> list[str | int]:
    """FastAPI's ``("body", "creators", 0)`` → ``["creators", 0]`` in CSL spelling; keeps
    ``query``/``header``/``path`` locations as they are."""
    parts = [p if isinstance(p, int) else str(p) for p in loc]
    return csl_loc(parts[1:]) if parts[:1] == ["body"] else parts


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = _where(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            # FastAPI puts the character offset where a field name would go.
            reason = (err.get("ctx") or {}).get("error", "")
            msg = f"the body is not valid JSON (at character {loc[-1] if loc else 0}: {reason})"
            loc = []
        errors.append(
            {
                "loc": loc,
                "path": ".".join(str(p) for p in loc) or "(body)",
                "msg": msg,
                "type": str(err.get("type", "value_error")),
            }
        )
    detail = "; ".join(f"{e['path']}: {e['msg']}" for e in errors)
    return problem_response(
        422,
        "Invalid request",
        detail,
        type_="urn:citekit:problem:invalid-request",
        instance=request.url.path,
        errors=errors,
    )


def _storage_validation(request: Request, exc: Exception) -> JSONResponse:
    # A record that passed the model but not a storage row's limits (a 400-character DOI, a
    # 20-ISBN list): still the client's input, so a 422 naming the field, not a 500.
    assert isinstance(exc, ValidationError)
    errors = [_field_error(tuple(e["loc"]), str(e["msg"]), str(e["type"])) for e in exc.errors()]
    return problem_response(
        422,
        "Invalid record",
        "; ".join(f"{e['path']}: {e['msg']}" for e in errors),
        type_="urn:citekit:problem:invalid-record",
        instance=request.url.path,
        errors=errors,
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(
        exc.status_code,
        title,
        detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log, never to the client.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "the server failed to handle this request; the error has been logged",
        instance=request.url.path,
    )


class BodyLimit:
    """413 as problem+json for a body over the limit: at once when ``Content-Length`` says so,
    else (chunked bodies) as soon as the bytes read pass it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            response = problem_response(
                413,
                "Payload too large",
                f"the request body has {length} bytes; the limit is {self.max_bytes}",
                type_="urn:citekit:problem:payload-too-large",
                instance=scope.get("path"),
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # An HTTPException passes FastAPI's body reader untouched, to _http_error.
                raise StarletteHTTPException(
                    413, f"the request body is over the limit of {self.max_bytes} bytes"
                )
            return message

        await self.app(scope, counted, send)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database refused or could not serve the request right now (unreachable, out of
    # connections, a lock or deadlock it gave up on): nothing wrong with the request, so 503 and
    # a time to retry after, not a 500.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        503,
        "Database unavailable",
        "the database could not answer this request now; try again shortly",
        type_="urn:citekit:problem:database-unavailable",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(sqlalchemy.exc.OperationalError, _database_unavailable)
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, _database_unavailable)
    app.add_exception_handler(CitekitError, _citekit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _storage_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses (``main`` files them as problem+json)."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every 4xx/5xx response of the OpenAPI document is a Problem in ``problem+json``."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in "45":
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem}}
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema

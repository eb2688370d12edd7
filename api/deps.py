"""FastAPI dependencies as ``Annotated`` aliases: sessions, API keys, preconditions, paging."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from email.message import Message
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from api.schemas import ArticleText, ManuscriptText
from citekit import services
from citekit.errors import (
    CitekitError,
    FieldError,
    InvalidRecord,
    PreconditionRequired,
    Unauthorized,
    UnsupportedFormat,
)
from citekit.formats import decode
from citekit.model import field_errors
from citekit.storage import library, session_scope

MAX_LIMIT = 100
DEFAULT_LIMIT = 25


class BadPrecondition(CitekitError):
    """An If-Match / If-Unmodified-Since-Version header that is not a version number."""

    status = 400
    title = "Bad precondition header"


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if not session.in_transaction():
            pass  # nothing was asked of it (or only prepared reads): nothing to end
        elif commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns (rolled back if it raises).

    ``scope="function"`` below closes it (and hands its connection back to the pool) before
    the response is serialised, so a slow client or a large response never holds a connection.
    Async, because opening a session does no I/O; a commit after writes goes to the thread pool
    (it may wait for the disk), ending a read-only transaction does not: each thread hop costs
    more than a claim's query.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_finish, session, commit=False)
        raise
    if library.wrote(session):
        await run_in_threadpool(_finish, session, commit=True)
    else:
        _finish(session, commit=True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

# Two names for the same Bearer header, so that the OpenAPI document tells reads from writes.
_read_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ReadKey",
    description="An API key from `citekit keys create` (read or write scope).",
)
_write_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="WriteKey",
    description="An API key from `citekit keys create --scope write`.",
)
Credentials = HTTPAuthorizationCredentials | None


def _verify_read_key(engine: Engine, token: str) -> str:
    # Its own short transaction: verifying may note when the key was last used.
    with session_scope(engine) as session:
        return services.verify_api_key(session, token=token, scope="read").id


async def _read_key(request: Request, credentials: Credentials) -> str | None:
    """Reads are open unless ``CITEKIT_REQUIRE_READ_KEY=1``; a key that is sent must be valid."""
    if credentials is None:
        # Decided without I/O, so without a hop to the thread pool.
        if request.app.state.settings.require_read_key:
            raise Unauthorized("this server needs an API key for reads: Authorization: Bearer …")
        return None
    return await run_in_threadpool(
        _verify_read_key, request.app.state.engine, credentials.credentials
    )


async def read_access(
    request: Request, credentials: Annotated[Credentials, Depends(_read_bearer)]
) -> str | None:
    """The read access check, for routes that take a ``SessionDep``."""
    return await _read_key(request, credentials)


async def read_session(
    request: Request, credentials: Annotated[Credentials, Depends(_read_bearer)]
) -> Session:
    """For the busiest reads: the read access check, then a session that ``read`` ends.

    A plain dependency rather than a generator like ``get_session``: FastAPI runs no exit stack
    for it, which is a good part of what a claim's lookup costs.
    """
    await _read_key(request, credentials)
    return Session(request.app.state.engine, expire_on_commit=False)


ReadSessionDep = Annotated[Session, Depends(read_session)]

T = TypeVar("T")


async def read(
    session: Session, function: Callable[..., T], /, *, slow: bool = False, **arguments: Any
) -> T:
    """Run a service call that only reads on a ``ReadSessionDep`` session, and end the session:
    on the event loop for SQLite, in the thread pool for PostgreSQL, and for a ``slow`` call
    (one that may read much of the library).

    An indexed read of a local SQLite file takes tens of microseconds and, in WAL mode, never
    waits for a writer, while a hop to the thread pool and back costs more than that and makes
    every request queue for the GIL behind the others; PostgreSQL answers over the network,
    which is waiting that must not stop the event loop.
    """

    def run() -> T:
        try:
            result = function(session, **arguments)
        except BaseException:
            _finish(session, commit=False)
            raise
        _finish(session, commit=True)
        return result

    if not slow and session.get_bind().dialect.name == "sqlite":
        return run()
    return await run_in_threadpool(run)


def another_session(session: Session) -> Session:
    """A second session like ``session`` (which ``read`` has ended), for a second ``read``."""
    return Session(session.get_bind(), expire_on_commit=False)


def write_access(
    session: SessionDep, credentials: Annotated[Credentials, Depends(_write_bearer)]
) -> str:
    """Writes need a key with the write scope: 401 without a key, 403 with a read-only key."""
    if credentials is None:
        raise Unauthorized("writes need an API key with the write scope: Authorization: Bearer …")
    return services.verify_api_key(session, token=credentials.credentials, scope="write").id


ReadKeyDep = Annotated[str | None, Depends(read_access)]
ApiKeyDep = Annotated[str, Depends(write_access)]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def _version(header: str, value: str) -> int:
    match = _ETAG.match(value)
    if not match:
        raise BadPrecondition(f'{header}: expected a version such as "3", got {value!r}')
    return int(match[1])


def expected_version(
    if_match: Annotated[
        str | None,
        Header(description='The object\'s ETag (`"3"`), or `*` to overwrite whatever is stored.'),
    ] = None,
    if_unmodified_since_version: Annotated[
        str | None,
        Header(description="The object's version (`3`), as in the Zotero Web API."),
    ] = None,
) -> int | None:
    """The version a write expects (None for ``If-Match: *``); 428 without any precondition."""
    if if_match is not None:
        if if_match.strip() == "*":
            return None
        return _version("If-Match", if_match)
    if if_unmodified_since_version is not None:
        return _version("If-Unmodified-Since-Version", if_unmodified_since_version)
    raise PreconditionRequired(
        "this write needs If-Match (the ETag you read) or If-Unmodified-Since-Version; "
        "send If-Match: * to overwrite without a check"
    )


ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]

JSON_TYPES = ("application/json",)


def _media_type(request: Request) -> str | None:
    raw = request.headers.get("content-type")
    if not raw:
        return None
    message = Message()
    message["content-type"] = raw
    return message.get_content_type()


async def require_json(request: Request) -> None:
    """415 unless the body is JSON (``application/json`` or ``application/<x>+json``); 422 for
    NUL characters, which PostgreSQL cannot store in text."""
    media = _media_type(request)
    if media is None or not (media in JSON_TYPES or media.endswith("+json")):
        raise UnsupportedFormat(
            f"this endpoint takes application/json, not {media or 'a body without Content-Type'}"
        )
    body = await request.body()
    if b"\\u0000" in body or b"\x00" in body:
        raise InvalidRecord(
            [FieldError((), "text may not contain NUL characters (\\u0000)")], what="request body"
        )


JsonBody = Depends(require_json)


class Page:
    """``start``/``limit`` query parameters (limit 1..100, default 25)."""

    def __init__(self, start: int, limit: int) -> None:
        self.start = start
        self.limit = limit


async def page_parameters(
    start: Annotated[int, Query(ge=0, le=10**9, description="Index of the first result.")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Results per page (at most 100).")
    ] = DEFAULT_LIMIT,
) -> Page:
    """Async, so that FastAPI does not hand it to the thread pool."""
    return Page(start, limit)


PageDep = Annotated[Page, Depends(page_parameters)]


TEXT_TYPES = ("text/plain", "text/markdown")


TextModel = TypeVar("TextModel", ArticleText, ManuscriptText)


async def _text_body(request: Request, model: type[TextModel], what: str) -> TextModel:
    """A text body as text/plain or text/markdown (any encoding citekit can decode), or JSON
    ``{"text": ...}``; 415 for other types, 422 for an empty or invalid one."""
    media = _media_type(request)
    body = await request.body()
    try:
        if media in TEXT_TYPES:
            text, _ = decode(body)
            parsed = model.model_validate({"text": text})
        elif media is not None and (media in JSON_TYPES or media.endswith("+json")):
            parsed = model.model_validate_json(body)
        else:
            raise UnsupportedFormat(
                f"send the {what} as text/plain, text/markdown or application/json, not {media}"
            )
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc), what=f"{what} body") from None
    if not parsed.text.strip():
        raise InvalidRecord([FieldError(("text",), f"the {what} is empty")], what=f"{what} body")
    if any("\x00" in value for value in parsed.model_dump().values() if isinstance(value, str)):
        raise InvalidRecord(
            [FieldError(("text",), "text may not contain NUL characters")], what=f"{what} body"
        )
    return parsed


async def read_article_text(request: Request) -> ArticleText:
    """The body of the article routes."""
    return await _text_body(request, ArticleText, "article")


async def read_manuscript(request: Request) -> ManuscriptText:
    """The body of /render."""
    return await _text_body(request, ManuscriptText, "manuscript")


ManuscriptDep = Annotated[ManuscriptText, Depends(read_manuscript)]
ArticleTextDep = Annotated[ArticleText, Depends(read_article_text)]

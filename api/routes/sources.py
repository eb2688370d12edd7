"""``/sources``: list and search, create, batch, get, replace, patch and delete by id or key."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from api import responses
from api.deps import (
    ApiKeyDep,
    ExpectedVersionDep,
    JsonBody,
    PageDep,
    ReadSessionDep,
    SessionDep,
    read,
)
from api.problems import problem_responses
from api.responses import (
    CREATED_HEADERS,
    JSON,
    LIBRARY_VERSION_HEADER,
    LIST_HEADERS,
    VERSION_HEADERS,
)
from api.schemas import (
    BatchResult,
    SourceCreate,
    SourcePublic,
    SourcesPublic,
    SourceUpdate,
    update_changes,
)
from citekit import services
from citekit.model import SourceType

router = APIRouter(
    prefix="/sources", tags=["sources"], responses=problem_responses(401, 403, 500, 503)
)

# PostgreSQL refuses NUL characters in text; reject them at the door with a clear 422.
NO_NUL = r"^[^\x00]*$"
Ref = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=NO_NUL,
        description="The source's id or its citation key.",
        examples=["deutscher1963"],
    ),
]
Text = Annotated[str | None, Query(max_length=500, pattern=NO_NUL)]
Year = Annotated[int | None, Query(ge=-9999, le=9999)]
Sort = Literal["key", "title", "year", "creator", "type", "group", "created", "modified"]


@router.get(
    "",
    operation_id="listSources",
    response_model=SourcesPublic,
    responses={
        200: {"headers": {**LIST_HEADERS, **LIBRARY_VERSION_HEADER}},
        304: {
            "description": "Not modified: the library is unchanged since "
            "`If-Modified-Since-Version`.",
            "headers": LIBRARY_VERSION_HEADER,
        },
    },
)
async def list_sources(
    request: Request,
    session: ReadSessionDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            pattern=NO_NUL,
            description="Words that must all occur in title, creators, year, DOI, ISBN or key.",
        ),
    ] = None,
    group: Text = None,
    type: Annotated[SourceType | None, Query()] = None,
    year_from: Year = None,
    year_to: Year = None,
    creator: Text = None,
    sort: Sort = "key",
    direction: Literal["asc", "desc"] = "asc",
    if_modified_since_version: Annotated[
        int | None,
        Header(
            ge=0,
            le=2**62,
            description="A library version (`Last-Modified-Version` of an earlier answer): "
            "304 if nothing in the library has changed since.",
        ),
    ] = None,
) -> Response:
    """Sources matching every filter, one page at a time. `Last-Modified-Version` is the
    library's version, which every change to the library raises (as in the Zotero Web API)."""
    # A search by words in key order is answered from indexes; a filter or another order may
    # scan the library, which must not stop the event loop.
    filters = (group, type, creator, year_from, year_to)
    scans = any(f is not None for f in filters) or sort != "key"
    found = await read(
        session,
        services.list_source_records,
        slow=scans,
        since=if_modified_since_version,
        q=q,
        group=group,
        type=type.value if type else None,
        year_from=year_from,
        year_to=year_to,
        creator=creator,
        sort=sort,
        direction=direction,
        start=page.start,
        limit=page.limit,
    )
    version = {"Last-Modified-Version": str(found.version)}
    if found.json is None:
        return Response(status_code=304, headers=version)
    return responses.page(
        request,
        found.json,
        item_type=None,
        total=found.total,
        start=page.start,
        limit=page.limit,
        headers=version,
    )


@router.post(
    "",
    operation_id="createSource",
    status_code=201,
    response_model=SourcePublic,
    dependencies=[JsonBody],
    responses={
        201: {"headers": CREATED_HEADERS},
        **problem_responses(400, 409, 413, 415, 422),
    },
)
def create_source(session: SessionDep, _key: ApiKeyDep, source: SourceCreate) -> Response:
    """Store a new source; without a ``key`` one is made from creator, year and title."""
    stored = services.add_source(session, data=source.data())
    return responses.versioned(stored, status=201, location=f"/sources/{stored.id}")


@router.post(
    "/batch",
    operation_id="batchSources",
    response_model=BatchResult,
    dependencies=[JsonBody],
    responses=problem_responses(400, 413, 415, 422),
)
def batch_sources(
    session: SessionDep,
    _key: ApiKeyDep,
    objects: Annotated[
        list[dict[str, Any]],
        Body(
            description=(
                "Up to 50 sources. One without `id` is created; one with `id` is updated with "
                "the fields it holds (as PATCH) and must carry the `version` it was read at."
            ),
            examples=[[{"type": "book", "title": "Trotsky"}, {"id": "s1a2b3", "version": 2}]],
        ),
    ],
) -> Response:
    """Create and update up to 50 sources; each object succeeds or fails on its own."""
    outcome = services.save_sources_batch(session, objects=objects)
    return Response(outcome.model_dump_json(by_alias=True, exclude_none=True), media_type=JSON)


@router.get(
    "/{ref}",
    operation_id="getSource",
    response_model=SourcePublic,
    responses={
        200: {"headers": VERSION_HEADERS},
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **problem_responses(404),
    },
)
async def get_source(request: Request, session: ReadSessionDep, ref: Ref) -> Response:
    """One source by id or citation key, with its version as ``ETag`` (`If-None-Match` with
    the current one gets 304)."""
    record = await read(session, services.source_record, ref=ref)
    version = record["version"]
    etag = f'"{version}"'
    headers = {"ETag": etag, "Last-Modified-Version": str(version)}
    return responses.not_modified(request, etag) or responses.record_response(
        record, headers=headers
    )


@router.put(
    "/{ref}",
    operation_id="replaceSource",
    response_model=SourcePublic,
    dependencies=[JsonBody],
    responses={
        200: {"headers": VERSION_HEADERS},
        **problem_responses(400, 404, 409, 412, 413, 415, 422, 428),
    },
)
def replace_source(
    session: SessionDep,
    _key: ApiKeyDep,
    ref: Ref,
    version: ExpectedVersionDep,
    source: SourceCreate,
) -> Response:
    """Replace every field of a source (guarded by ``If-Match``)."""
    stored = services.replace_source(session, ref=ref, data=source.data(), expected_version=version)
    return responses.versioned(stored)


@router.patch(
    "/{ref}",
    operation_id="patchSource",
    response_model=SourcePublic,
    dependencies=[JsonBody],
    responses={
        200: {"headers": VERSION_HEADERS},
        **problem_responses(400, 404, 409, 412, 413, 415, 422, 428),
    },
)
def patch_source(
    session: SessionDep,
    _key: ApiKeyDep,
    ref: Ref,
    version: ExpectedVersionDep,
    changes: SourceUpdate,  # type: ignore[valid-type]
) -> Response:
    """Change some fields of a source; a field sent as null is removed."""
    stored = services.patch_source(
        session, ref=ref, changes=update_changes(changes), expected_version=version
    )
    return responses.versioned(stored)


@router.delete(
    "/{ref}",
    operation_id="deleteSource",
    status_code=204,
    responses=problem_responses(400, 404, 412, 428),
)
def delete_source(
    session: SessionDep, _key: ApiKeyDep, ref: Ref, version: ExpectedVersionDep
) -> Response:
    """Delete a source and the claim links that cite it."""
    services.delete_source(session, ref=ref, expected_version=version)
    return Response(status_code=204)

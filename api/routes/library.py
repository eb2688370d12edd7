"""Library upkeep: integrity findings, likely duplicates, and merging two sources into one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field, JsonValue

from api import responses
from api.deps import ApiKeyDep, ExpectedVersionDep, JsonBody, PageDep, ReadKeyDep, SessionDep
from api.problems import problem_responses
from api.responses import LIST_HEADERS, VERSION_HEADERS
from citekit import services
from citekit.integrity import Finding

router = APIRouter(
    prefix="/sources", tags=["sources"], responses=problem_responses(401, 403, 500, 503)
)

NO_NUL = r"^[^\x00]*$"
Ref = Annotated[
    str,
    Path(min_length=1, max_length=100, pattern=NO_NUL, description="Source id or citation key."),
]


class FindingPublic(BaseModel):
    """One integrity finding; ``fix`` is a patch (field → suggested value) when one is known."""

    check: str
    severity: str = Field(examples=["warning"])
    message: str
    field: str | None = None
    record_id: str | None = None
    key: str | None = None
    fix: dict[str, JsonValue] | None = None

    @classmethod
    def of(cls, finding: Finding) -> FindingPublic:
        """From the integrity module's dataclass."""
        return cls(
            check=finding.check,
            severity=finding.severity.value,
            message=finding.message,
            field=finding.field,
            record_id=finding.record_id,
            key=finding.key,
            fix=finding.fix,
        )


class DuplicatesPublic(BaseModel):
    data: list[services.DuplicateMatch]
    count: int


class MergeRequest(BaseModel):
    """The source to merge into this one (and delete), and the version it was read at."""

    model_config = {"extra": "forbid"}

    other: str = Field(min_length=1, max_length=100, pattern=NO_NUL, examples=["deutscher1963a"])
    other_version: int | None = Field(
        default=None, ge=0, description="Guards the other source as If-Match guards this one."
    )


@router.get(
    "/duplicates",
    operation_id="listDuplicates",
    response_model=DuplicatesPublic,
    responses={200: {"headers": LIST_HEADERS}},
)
def duplicates(request: Request, session: SessionDep, _key: ReadKeyDep, page: PageDep) -> Response:
    """Pairs of sources that look like one: same DOI or ISBN, or same title, year and creator."""
    found = services.find_duplicates(session)
    return responses.listed(
        request, found, item_type=services.DuplicateMatch, start=page.start, limit=page.limit
    )


@router.get(
    "/{ref}/check",
    operation_id="checkSource",
    response_model=list[FindingPublic],
    responses=problem_responses(404, 415),
)
def check(
    session: SessionDep,
    _key: ReadKeyDep,
    ref: Ref,
    style: Annotated[
        str, Query(max_length=200, pattern=NO_NUL, description="Style whose needs are checked.")
    ] = "chicago",
) -> list[FindingPublic]:
    """Integrity findings for one source: identifiers, dates, punctuation, what a style needs."""
    return [FindingPublic.of(f) for f in services.check_source(session, ref=ref, style=style)]


@router.post(
    "/{ref}/merge",
    operation_id="mergeSources",
    response_model=services.MergeReport,
    dependencies=[JsonBody],
    responses={
        200: {"headers": VERSION_HEADERS},
        **problem_responses(400, 404, 409, 412, 415, 422, 428),
    },
)
def merge(
    session: SessionDep,
    _key: ApiKeyDep,
    ref: Ref,
    version: ExpectedVersionDep,
    body: MergeRequest,
) -> Response:
    """Merge ``other`` into this source: this one's values win, the other's claim links move
    here, and the other source is deleted."""
    report = services.merge_sources(
        session,
        keep=ref,
        other=body.other,
        expected_version=version,
        other_version=body.other_version,
    )
    headers = {
        "ETag": f'"{report.source.version}"',
        "Last-Modified-Version": str(report.source.version),
    }
    return responses.json_response(report, headers=headers)

"""Formats, imports and exports: BibTeX, BibLaTeX, CSL-JSON, RIS and plain-text bibliographies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.datastructures import UploadFile

from api import responses
from api.deps import ApiKeyDep, ReadKeyDep, SessionDep
from api.negotiation import choose
from api.problems import problem_responses
from api.schemas import FormatPublic
from citekit import services
from citekit.errors import FieldError, InvalidRecord
from citekit.formats import available_formats, get_format

router = APIRouter(tags=["files"], responses=problem_responses(401, 403, 500, 503))

NO_NUL = r"^[^\x00]*$"
FormatName = Annotated[
    str | None,
    Query(
        max_length=32,
        pattern=NO_NUL,
        description="bibtex, biblatex, csljson, ris or plaintext (aliases: bib, json, txt …).",
    ),
]
Group = Annotated[str | None, Query(max_length=64, pattern=NO_NUL)]
# What /export offers for Accept, in the order */* picks: CSL-JSON first.
EXPORT_TYPES = {
    "application/vnd.citationstyles.csl+json": "csljson",
    "application/json": "csljson",
    "application/x-bibtex": "bibtex",
    "application/x-research-info-systems": "ris",
    "text/plain": "plaintext",
}
FILE_TYPES = [
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles.csl+json",
    "application/json",
    "text/plain",
]


@router.get("/formats", operation_id="listFormats", response_model=list[FormatPublic])
def formats(_key: ReadKeyDep) -> list[FormatPublic]:
    """The formats citekit reads and writes, with their suffixes and media types."""
    return [
        FormatPublic(name=f.name, suffixes=list(f.suffixes), media_type=f.media_type)
        for f in available_formats()
    ]


@router.get(
    "/export",
    operation_id="exportSources",
    response_class=Response,
    responses={
        200: {
            "description": "The library in the chosen format.",
            "content": {
                media: {"schema": {"type": "array"} if "json" in media else {"type": "string"}}
                for media in EXPORT_TYPES
            },
        },
        **problem_responses(406, 415),
    },
)
def export(
    session: SessionDep,
    _key: ReadKeyDep,
    format: FormatName = None,
    group: Group = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The library (or a group) as a file: ``?format=bibtex`` or Accept: application/x-bibtex."""
    if format is not None:
        chosen = get_format(format)
    else:
        media, _ = choose(accept, list(EXPORT_TYPES))
        chosen = get_format(EXPORT_TYPES[media])
    text = services.export_records(session, format=chosen.name, group=group)
    suffix = chosen.suffixes[0] if chosen.suffixes else ".txt"
    headers = {
        "Content-Disposition": f'attachment; filename="citekit{suffix}"',
        "Vary": "Accept",
    }
    return Response(text, media_type=f"{chosen.media_type}; charset=utf-8", headers=headers)


async def _upload(request: Request) -> tuple[bytes, str | None]:
    """The file of an import: a multipart ``file`` field, or the raw body."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRecord([FieldError(("file",), "send the file in a field named 'file'")])
        return await upload.read(), upload.filename
    body = await request.body()
    if not body:
        raise InvalidRecord([FieldError(("body",), "the request has no file in it")])
    return body, None


Upload = Annotated[tuple[bytes, str | None], Depends(_upload)]


@router.post(
    "/import",
    operation_id="importSources",
    response_model=services.ImportReport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A multipart upload (field `file`) or the file itself as the body.",
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                **{
                    media: {"schema": {} if "json" in media else {"type": "string"}}
                    for media in FILE_TYPES
                },
            },
        }
    },
    responses=problem_responses(400, 413, 415, 422),
)
def import_sources(
    session: SessionDep,
    _key: ApiKeyDep,
    upload: Upload,
    format: FormatName = None,
    group: Annotated[
        str | None,
        Query(max_length=64, pattern=NO_NUL, description="Put every imported source here."),
    ] = None,
    dry_run: Annotated[bool, Query(description="Report only; store nothing.")] = False,
    strict: Annotated[bool, Query(description="Store nothing if any entry fails.")] = False,
) -> Response:
    """Import a file: the report lists what was added, updated, left as a duplicate, or failed
    (with line and reason). Good entries are kept even when others fail, unless ``strict``."""
    data, filename = upload
    report = services.import_records(
        session,
        data=data,
        format=format,
        filename=filename,
        group=group,
        dry_run=dry_run,
        strict=strict,
    )
    return responses.json_response(report)

"""Articles, their claims, and the citations linking claims to sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel

from api import responses
from api.deps import (
    ApiKeyDep,
    ArticleTextDep,
    ExpectedVersionDep,
    JsonBody,
    PageDep,
    ReadKeyDep,
    ReadSessionDep,
    SessionDep,
    another_session,
    read,
)
from api.problems import problem_responses
from api.responses import CREATED_HEADERS, LIST_HEADERS, VERSION_HEADERS
from api.schemas import CitationCreate, CitationUpdate, SuggestionPublic
from citekit import services
from citekit.model import Article, Citation, Claim

router = APIRouter(tags=["claims"], responses=problem_responses(401, 403, 500, 503))

NO_NUL = r"^[^\x00]*$"


def _id(what: str) -> Any:
    return Path(min_length=1, max_length=500, pattern=NO_NUL, description=f"The {what}'s id.")


ArticleId = Annotated[str, _id("article")]
CitationId = Annotated[str, _id("citation")]
ClaimRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=500,
        pattern=NO_NUL,
        description="The claim's id, or a quote that only one claim contains.",
    ),
]
SourceRef = Annotated[
    str, Path(min_length=1, max_length=100, pattern=NO_NUL, description="Source id or key.")
]
TEXT_BODY = responses.text_body(
    "The article as plain text or Markdown, or JSON with `text` and `title`.", "ArticleText"
)


class ArticlesPublic(BaseModel):
    data: list[Article]
    count: int


class ClaimsPublic(BaseModel):
    data: list[Claim]
    count: int


class ClaimSupportsPublic(BaseModel):
    data: list[services.ClaimSupport]
    count: int


class SourceUsesPublic(BaseModel):
    data: list[services.SourceUse]
    count: int


# Routes are tried in order: the claims first, GET /claims/{id} is the busiest read.
# -- claims -------------------------------------------------------------------------------------


@router.get(
    "/claims/find",
    operation_id="findClaims",
    response_model=ClaimsPublic,
    responses={200: {"headers": LIST_HEADERS}, **problem_responses(404, 422)},
)
def find_claims(
    request: Request,
    session: SessionDep,
    _key: ReadKeyDep,
    page: PageDep,
    quote: Annotated[
        str,
        Query(
            min_length=1,
            max_length=2000,
            pattern=NO_NUL,
            description="Text the claim contains (whitespace and quote marks are forgiven).",
        ),
    ],
    article: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
) -> Response:
    """Claims that contain a quote."""
    found = services.find_claims(session, quote=quote, article=article)
    return responses.listed(request, found, item_type=Claim, start=page.start, limit=page.limit)


@router.get(
    "/claims/{claim}",
    operation_id="getClaim",
    response_model=services.ClaimDetail,
    responses={
        200: {"headers": VERSION_HEADERS},
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **problem_responses(404, 422),
    },
)
async def get_claim(request: Request, session: ReadSessionDep, claim: ClaimRef) -> Response:
    """A claim with its citations and their sources. Its `ETag` changes when the claim, one of
    its citations or one of their sources changes (`If-None-Match` gets 304);
    `Last-Modified-Version` is the claim's own version."""
    found = await read(session, services.claim_record_by_id, ref=claim)
    if found is None:  # not an id: a quote, which may mean reading every claim's text
        found = await read(another_session(session), services.claim_record, ref=claim, slow=True)
    etag = f'"{found.version}-{found.tag}"'
    headers = {"ETag": etag, "Last-Modified-Version": str(found.version)}
    return responses.not_modified(request, etag) or responses.record_response(
        found.record, headers=headers
    )


@router.get(
    "/claims/{claim}/citations",
    operation_id="listClaimCitations",
    response_model=ClaimSupportsPublic,
    responses={200: {"headers": LIST_HEADERS}, **problem_responses(404, 422)},
)
def list_claim_citations(
    request: Request, session: SessionDep, _key: ReadKeyDep, claim: ClaimRef, page: PageDep
) -> Response:
    """The citations of a claim with their sources, preferred first."""
    found = services.sources_for_claim(session, claim=claim)
    return responses.listed(
        request, found, item_type=services.ClaimSupport, start=page.start, limit=page.limit
    )


@router.post(
    "/claims/{claim}/citations",
    operation_id="addCitation",
    status_code=201,
    response_model=Citation,
    dependencies=[JsonBody],
    responses={201: {"headers": CREATED_HEADERS}, **problem_responses(400, 404, 409, 415, 422)},
)
def add_citation(
    session: SessionDep, _key: ApiKeyDep, claim: ClaimRef, body: CitationCreate
) -> Response:
    """Link the claim to a source, with a locator (``p. 45``) and a relation."""
    citation = services.add_citation(session, claim=claim, **body.model_dump(exclude_none=True))
    return responses.versioned(citation, status=201, location=f"/citations/{citation.id}")


@router.get(
    "/claims/{claim}/suggestions",
    operation_id="suggestSources",
    response_model=list[SuggestionPublic],
    responses=problem_responses(404, 422),
)
def suggest_sources(
    session: SessionDep,
    _key: ReadKeyDep,
    claim: ClaimRef,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[SuggestionPublic]:
    """Sources that may back the claim, best first, each with the reasons it was suggested."""
    found = services.suggest_sources(session, claim=claim, limit=limit)
    return [SuggestionPublic.of(s) for s in found]


# -- articles -----------------------------------------------------------------------------------


@router.get(
    "/articles",
    operation_id="listArticles",
    response_model=ArticlesPublic,
    responses={200: {"headers": LIST_HEADERS}},
)
def list_articles(
    request: Request, session: SessionDep, _key: ReadKeyDep, page: PageDep
) -> Response:
    """Every article, most recently changed first."""
    found = services.list_articles(session)
    return responses.listed(request, found, item_type=Article, start=page.start, limit=page.limit)


@router.post(
    "/articles",
    operation_id="importArticle",
    status_code=201,
    response_model=services.ArticleImport,
    openapi_extra=TEXT_BODY,
    responses={201: {"headers": CREATED_HEADERS}, **problem_responses(400, 413, 415, 422)},
)
def import_article(session: SessionDep, _key: ApiKeyDep, body: ArticleTextDep) -> Response:
    """Store an article and split it into claims (sentences and captions)."""
    imported = services.import_article(session, text=body.text, title=body.title)
    article = imported.article
    headers = {
        "ETag": f'"{article.version}"',
        "Last-Modified-Version": str(article.version),
        "Location": f"/articles/{article.id}",
    }
    return responses.json_response(imported, status=201, headers=headers)


@router.get(
    "/articles/{article_id}",
    operation_id="getArticle",
    response_model=Article,
    responses={200: {"headers": VERSION_HEADERS}, **problem_responses(404)},
)
def get_article(session: SessionDep, _key: ReadKeyDep, article_id: ArticleId) -> Response:
    """An article with its text and version."""
    return responses.versioned(services.get_article(session, ref=article_id))


@router.put(
    "/articles/{article_id}",
    operation_id="replaceArticleText",
    response_model=services.Reanchored,
    openapi_extra=TEXT_BODY,
    responses=problem_responses(400, 404, 412, 413, 415, 422, 428),
)
def replace_article_text(
    session: SessionDep,
    _key: ApiKeyDep,
    article_id: ArticleId,
    version: ExpectedVersionDep,
    body: ArticleTextDep,
) -> Response:
    """Replace the text; every claim is found again (re-anchored) and the outcome reported."""
    result = services.replace_article_text(
        session, ref=article_id, text=body.text, expected_version=version
    )
    version_headers = {
        "ETag": f'"{result.article.version}"',
        "Last-Modified-Version": str(result.article.version),
    }
    return responses.json_response(result, headers=version_headers)


@router.get(
    "/articles/{article_id}/claims",
    operation_id="listArticleClaims",
    response_model=ClaimsPublic,
    responses={200: {"headers": LIST_HEADERS}, **problem_responses(404)},
)
def list_article_claims(
    request: Request,
    session: SessionDep,
    _key: ReadKeyDep,
    article_id: ArticleId,
    page: PageDep,
    unsupported: Annotated[bool, Query(description="Only claims no citation backs.")] = False,
    orphans: Annotated[
        bool | None, Query(description="Only orphans (true) or only placed claims (false).")
    ] = None,
    section: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
) -> Response:
    """An article's claims in text order."""
    found = services.list_claims(
        session, article=article_id, unsupported=unsupported, orphans=orphans, section=section
    )
    return responses.listed(request, found, item_type=Claim, start=page.start, limit=page.limit)


@router.get(
    "/articles/{article_id}/coverage",
    operation_id="getArticleCoverage",
    response_model=services.Coverage,
    responses=problem_responses(404),
)
def article_coverage(session: SessionDep, _key: ReadKeyDep, article_id: ArticleId) -> Response:
    """How many claims of each section a citation backs."""
    return responses.json_response(services.coverage(session, article=article_id))


# -- citations ----------------------------------------------------------------------------------


@router.get(
    "/citations/{citation_id}",
    operation_id="getCitation",
    response_model=Citation,
    responses={200: {"headers": VERSION_HEADERS}, **problem_responses(404)},
)
def get_citation(session: SessionDep, _key: ReadKeyDep, citation_id: CitationId) -> Response:
    """One citation (claim ⇄ source link)."""
    return responses.versioned(services.get_citation(session, ref=citation_id))


@router.patch(
    "/citations/{citation_id}",
    operation_id="updateCitation",
    response_model=Citation,
    dependencies=[JsonBody],
    responses={
        200: {"headers": VERSION_HEADERS},
        **problem_responses(400, 404, 412, 415, 422, 428),
    },
)
def update_citation(
    session: SessionDep,
    _key: ApiKeyDep,
    citation_id: CitationId,
    version: ExpectedVersionDep,
    changes: CitationUpdate,
) -> Response:
    """Change a citation's locator, relation, quotation, note or rank."""
    updated = services.update_citation(
        session,
        ref=citation_id,
        changes=changes.model_dump(exclude_unset=True),
        expected_version=version,
    )
    return responses.versioned(updated)


@router.delete(
    "/citations/{citation_id}",
    operation_id="deleteCitation",
    status_code=204,
    responses=problem_responses(400, 404, 412, 428),
)
def delete_citation(
    session: SessionDep, _key: ApiKeyDep, citation_id: CitationId, version: ExpectedVersionDep
) -> Response:
    """Remove a citation."""
    services.delete_citation(session, ref=citation_id, expected_version=version)
    return Response(status_code=204)


# -- the claims of a source ---------------------------------------------------------------------


@router.get(
    "/sources/{ref}/claims",
    operation_id="listSourceClaims",
    response_model=SourceUsesPublic,
    responses={200: {"headers": LIST_HEADERS}, **problem_responses(404)},
    tags=["sources"],
)
def list_source_claims(
    request: Request, session: SessionDep, _key: ReadKeyDep, ref: SourceRef, page: PageDep
) -> Response:
    """The claims a source is cited for, in article and text order."""
    found = services.claims_for_source(session, source=ref)
    return responses.listed(
        request, found, item_type=services.SourceUse, start=page.start, limit=page.limit
    )

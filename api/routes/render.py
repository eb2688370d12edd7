"""Styles, bibliographies and single citations, with ``Accept`` negotiation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api import responses
from api.deps import JsonBody, ManuscriptDep, PageDep, ReadKeyDep, SessionDep
from api.negotiation import choose
from api.problems import problem_responses
from api.responses import LIST_HEADERS
from api.schemas import StylePublic
from citekit import services
from citekit.render.styles import list_styles
from citekit.render.styles.csl import csl_styles

router = APIRouter(tags=["render"], responses=problem_responses(401, 403, 500, 503))

NO_NUL = r"^[^\x00]*$"
DEFAULT_STYLE = "chicago-notes-bibliography"
Format = Literal["text", "html", "markdown"]
MEDIA_TYPES: dict[str, Format] = {
    "text/plain": "text",
    "text/x-bibliography": "text",
    "text/html": "html",
    "text/markdown": "markdown",
}
FORMAT_MEDIA = {"text": "text/plain", "html": "text/html", "markdown": "text/markdown"}
StyleParam = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="A native style (`chicago`, `apa`, `mla` …) or any CSL style id (`ieee`).",
    ),
]
TEXT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The rendered text.",
        "content": {media: {"schema": {"type": "string"}} for media in FORMAT_MEDIA.values()},
    }
}


class StylesPublic(BaseModel):
    data: list[StylePublic]
    count: int


@router.get(
    "/styles",
    operation_id="listStyles",
    response_model=StylesPublic,
    responses={200: {"headers": LIST_HEADERS}},
)
def styles(
    request: Request,
    _key: ReadKeyDep,
    page: PageDep,
    csl: Annotated[
        bool, Query(description="Also list the CSL styles rendered by citeproc-py.")
    ] = False,
) -> Response:
    """The native styles, and with ``csl=true`` every CSL style citekit can render."""
    found = [
        StylePublic(id=str(s["id"]), title=str(s["title"]), kind=str(s["kind"]), engine="native")
        for s in list_styles()
    ]
    if csl:
        found += [
            StylePublic(id=style_id, title=title, engine="citeproc-py")
            for style_id, title in csl_styles().items()
        ]
    return responses.listed(
        request, found, item_type=StylePublic, start=page.start, limit=page.limit
    )


def _negotiate(accept: str | None, format: Format | None, style: str | None) -> tuple[Format, str]:
    """Format and style from the query, else from Accept: ``text/x-bibliography; style=apa``."""
    if format is not None:
        return format, style or DEFAULT_STYLE
    media, wanted = choose(accept, list(MEDIA_TYPES))
    return MEDIA_TYPES[media], style or wanted.params.get("style") or DEFAULT_STYLE


def _text(body: str, format: Format) -> Response:
    media = FORMAT_MEDIA[format]
    return Response(body, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


@router.get(
    "/bibliography",
    operation_id="getBibliography",
    response_class=Response,
    responses={**TEXT_CONTENT, **problem_responses(406, 415, 422)},
)
def bibliography(
    session: SessionDep,
    _key: ReadKeyDep,
    style: StyleParam = None,
    format: Annotated[
        Format | None, Query(description="Overrides Accept (text/plain, text/html, text/markdown).")
    ] = None,
    group: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    grouped: Annotated[bool, Query(description="Under group headings: Images, Primary …")] = False,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The library's bibliography in a style; ``Accept: text/x-bibliography; style=apa`` works."""
    chosen_format, chosen_style = _negotiate(accept, format, style)
    text = services.bibliography(
        session, style=chosen_style, format=chosen_format, group=group, grouped=grouped
    )
    return _text(text, chosen_format)


class CiteItem(BaseModel):
    """A source to cite, by id or key, with an optional locator."""

    source: str = Field(min_length=1, max_length=100, pattern=NO_NUL, examples=["deutscher1963"])
    locator: str | None = Field(default=None, max_length=200, examples=["p. 45"])


class CiteRequest(BaseModel):
    """One citation: the sources it cites, in order, and how to render it."""

    items: list[CiteItem] = Field(min_length=1, max_length=50)
    style: str = Field(default=DEFAULT_STYLE, max_length=200, pattern=NO_NUL)
    format: Format = "text"
    short: bool = Field(default=False, description="A subsequent (short) note in a note style.")


class CitePublic(BaseModel):
    """The formatted note or in-text citation."""

    citation: str
    style: str
    format: Format


@router.post(
    "/cite",
    operation_id="cite",
    response_model=CitePublic,
    dependencies=[JsonBody],
    responses=problem_responses(400, 404, 413, 415, 422),
)
def cite(session: SessionDep, _key: ReadKeyDep, body: CiteRequest) -> CitePublic:
    """Format one citation of some sources: a full or short note, or ``(Deutscher 1963, 45)``."""
    text = services.cite_sources(
        session,
        items=[(item.source, item.locator) for item in body.items],
        style=body.style,
        short=body.short,
        format=body.format,
    )
    return CitePublic(citation=text, style=body.style, format=body.format)


class UnknownKeyPublic(BaseModel):
    """A cited key the library does not hold, and where it is (1-based line and column)."""

    key: str
    line: int
    column: int


class RenderedPublic(BaseModel):
    """A rendered manuscript, the keys it cited and the ones it could not find."""

    text: str
    cited: list[str]
    unknown: list[UnknownKeyPublic]


@router.post(
    "/render",
    operation_id="renderManuscript",
    response_model=RenderedPublic,
    openapi_extra=responses.text_body(
        "A Markdown manuscript with pandoc citations (`[@key, p. 45]`).", "ManuscriptText"
    ),
    responses=problem_responses(400, 413, 415, 422),
)
def render_manuscript(
    session: SessionDep,
    _key: ReadKeyDep,
    body: ManuscriptDep,
    style: StyleParam = None,
    format: Format = "markdown",
    bibliography: Annotated[bool, Query(description="Append the works cited.")] = True,
) -> RenderedPublic:
    """Render a manuscript's citations as notes (footnotes) or in-text citations, from the
    library, with its bibliography."""
    rendered = services.render_manuscript(
        session,
        text=body.text,
        style=style or DEFAULT_STYLE,
        format=format,
        bibliography=bibliography,
    )
    return RenderedPublic(
        text=rendered.text,
        cited=list(rendered.cited),
        unknown=[
            UnknownKeyPublic(key=u.key, line=u.line, column=u.column) for u in rendered.unknown
        ],
    )


@router.get(
    "/articles/{article_id}/annotated",
    operation_id="getAnnotatedArticle",
    response_class=Response,
    responses={**TEXT_CONTENT, **problem_responses(404, 406, 415, 422)},
    tags=["claims"],
)
def annotated_article(
    session: SessionDep,
    _key: ReadKeyDep,
    article_id: Annotated[str, Path(min_length=1, max_length=500, pattern=NO_NUL)],
    style: StyleParam = None,
    format: Annotated[Format | None, Query(description="Overrides Accept.")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The article with its claims' citations as footnotes or in-text citations, then the works
    cited by group."""
    chosen_format, chosen_style = _negotiate(accept, format, style)
    text = services.annotate_article(
        session, article=article_id, style=chosen_style, format=chosen_format
    )
    return _text(text, chosen_format)

"""Request and response schemas (STYLE §7): ``SourceCreate``, ``SourceUpdate``, ``SourcePublic``…"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model
from pydantic.json_schema import SkipJsonSchema

from citekit.claims.suggest import Suggestion
from citekit.model import Creator, Locator, Provenance, Rank, Relation, Source
from citekit.model.names import kebab

SERVER_FIELDS = ("id", "version", "created", "modified")
EXAMPLE_SOURCE: dict[str, JsonValue] = {
    "type": "book",
    "key": "deutscher1963",
    "group": "secondary",
    "title": "The Prophet Outcast: Trotsky 1929–1940",
    "creators": [{"family": "Deutscher", "given": "Isaac"}],
    "issued": "1963",
    "publisher": "Oxford University Press",
    "publisher-place": "London",
}


class SourceCreate(Source):
    """A new source in CSL vocabulary (either spelling: ``container-title`` or ``container_title``).

    ``id``, ``version``, ``created`` and ``modified`` are the server's: values sent are ignored.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_SOURCE]})

    id: SkipJsonSchema[str | None] = None
    version: SkipJsonSchema[int] = 0
    created: SkipJsonSchema[datetime | None] = None
    modified: SkipJsonSchema[datetime | None] = None

    def data(self) -> dict[str, Any]:
        """The record without the server's fields, ready for a service."""
        return self.model_dump(exclude=set(SERVER_FIELDS), exclude_none=True)


def _optional_fields() -> dict[str, Any]:
    # Built from Source's own fields so a field added to the model is patchable at once; the
    # merged record is validated as a whole by the service.
    numbers = Source.__pydantic_decorators__.field_validators["_number_as_text"].info.fields
    fields: dict[str, Any] = {}
    for name, info in Source.model_fields.items():
        if name in SERVER_FIELDS:
            continue
        annotation: Any = info.annotation
        if name in numbers:
            annotation = annotation | int
        fields[name] = (
            annotation | None,
            Field(default=None, alias=info.alias or kebab(name), description=info.description),
        )
    return fields


# Field name → the spelling clients use (CSL): container_title → container-title, url → URL.
CSL_NAMES: dict[str, str] = {
    name: info.alias
    for model in (Source, Creator)
    for name, info in model.model_fields.items()
    if info.alias and info.alias != name
}


def csl_loc(loc: tuple[str | int, ...] | list[str | int]) -> list[str | int]:
    """A field path in CSL spelling: ``("creators", 0, "non_dropping_particle")`` →
    ``["creators", 0, "non-dropping-particle"]`` (the keys inside ``extra`` stay as sent)."""
    out: list[str | int] = []
    for part in loc:
        inside_extra = bool(out) and out[-1] == "extra"
        out.append(part if isinstance(part, int) or inside_extra else CSL_NAMES.get(part, part))
    return out


SourceUpdate = create_model(
    "SourceUpdate",
    __config__=ConfigDict(
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"examples": [{"title": "A corrected title", "note": None}]},
    ),
    __doc__="Fields to change (PATCH); a field sent as null is removed. Either spelling works.",
    **_optional_fields(),
)


def update_changes(update: BaseModel) -> dict[str, Any]:
    """The fields a client sent (nulls included: they remove the field)."""
    return update.model_dump(exclude_unset=True)


class SourcePublic(Source):
    """A stored source: the record plus its ``id``, citation ``key``, ``version`` and times."""

    id: str
    key: str
    version: int
    created: datetime
    modified: datetime


class SourcesPublic(BaseModel):
    """One page of sources; ``count`` is the number of matches over all pages."""

    data: list[SourcePublic]
    count: int


class BatchFailure(BaseModel):
    """Why one object of a batch failed."""

    code: int = Field(examples=[422])
    message: str
    key: str | None = None
    errors: list[dict[str, JsonValue]] | None = None


class BatchResult(BaseModel):
    """Per-object outcome of a batch, keyed by the object's index in the request (as strings)."""

    successful: dict[str, SourcePublic] = Field(default_factory=dict)
    unchanged: dict[str, str] = Field(
        default_factory=dict, description="index → id of objects that needed no change"
    )
    failed: dict[str, BatchFailure] = Field(default_factory=dict)


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str
    database: str = Field(examples=["sqlite"])
    sources: int


class FormatPublic(BaseModel):
    """An import/export format: its name, file suffixes and media type."""

    name: str
    suffixes: list[str]
    media_type: str
    read: bool = True
    write: bool = True


class StylePublic(BaseModel):
    """A citation style: its id, title, kind (note or author-date) and engine."""

    id: str
    title: str | None = None
    kind: str | None = None
    engine: str | None = None


class ArticleText(BaseModel):
    """An article to import or a new text for one: plain text or Markdown."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5_000_000)
    title: str | None = Field(default=None, max_length=500)


class ManuscriptText(BaseModel):
    """A Markdown manuscript with pandoc citations: ``[@deutscher1963, p. 45]``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5_000_000)


class CitationCreate(BaseModel):
    """A link from a claim to a source: ``{"source": "deutscher1963", "locator": "p. 45"}``."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=100, description="The source's id or key.")
    locator: str | None = Field(default=None, max_length=200, examples=["p. 45", "fig. 3"])
    relation: Relation = Relation.SUPPORTS
    quotation: str | None = Field(default=None, max_length=10_000)
    note: str | None = Field(default=None, max_length=10_000)
    rank: Rank = Rank.NORMAL


class CitationUpdate(BaseModel):
    """Fields of a citation to change; a locator, quotation or note sent as null is removed."""

    model_config = ConfigDict(extra="forbid")

    locator: str | Locator | None = Field(default=None, examples=["pp. 12–14"])
    relation: Relation | None = None
    quotation: str | None = Field(default=None, max_length=10_000)
    note: str | None = Field(default=None, max_length=10_000)
    rank: Rank | None = None
    provenance: Provenance | None = None


class ReasonPublic(BaseModel):
    """Why a source was suggested: what matched, and how much it weighed."""

    kind: str
    detail: str
    weight: float


class SuggestionPublic(BaseModel):
    """A source that may back a claim, with its score and reasons."""

    source: Source
    score: float
    reasons: list[ReasonPublic]

    @classmethod
    def of(cls, suggestion: Suggestion) -> SuggestionPublic:
        """From the claims package's dataclass."""
        return cls(
            source=suggestion.source,
            score=suggestion.score,
            reasons=[
                ReasonPublic(kind=r.kind.value, detail=r.detail, weight=r.weight)
                for r in suggestion.reasons
            ],
        )

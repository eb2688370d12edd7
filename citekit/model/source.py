"""The source record: CSL item types and variables, creators, dates, identifiers, groups."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as StdnumError

from citekit.errors import FieldError, InvalidRecord
from citekit.model.dates import CSL_DATE_SCHEMA, PartialDate
from citekit.model.names import Creator, CreatorRole, kebab


class SourceType(StrEnum):
    """CSL 1.0.2 item types."""

    ARTICLE = "article"
    ARTICLE_JOURNAL = "article-journal"
    ARTICLE_MAGAZINE = "article-magazine"
    ARTICLE_NEWSPAPER = "article-newspaper"
    BILL = "bill"
    BOOK = "book"
    BROADCAST = "broadcast"
    CHAPTER = "chapter"
    CLASSIC = "classic"
    COLLECTION = "collection"
    DATASET = "dataset"
    DOCUMENT = "document"
    ENTRY = "entry"
    ENTRY_DICTIONARY = "entry-dictionary"
    ENTRY_ENCYCLOPEDIA = "entry-encyclopedia"
    EVENT = "event"
    FIGURE = "figure"
    GRAPHIC = "graphic"
    HEARING = "hearing"
    INTERVIEW = "interview"
    LEGAL_CASE = "legal_case"
    LEGISLATION = "legislation"
    MANUSCRIPT = "manuscript"
    MAP = "map"
    MOTION_PICTURE = "motion_picture"
    MUSICAL_SCORE = "musical_score"
    PAMPHLET = "pamphlet"
    PAPER_CONFERENCE = "paper-conference"
    PATENT = "patent"
    PERFORMANCE = "performance"
    PERIODICAL = "periodical"
    PERSONAL_COMMUNICATION = "personal_communication"
    POST = "post"
    POST_WEBLOG = "post-weblog"
    REGULATION = "regulation"
    REPORT = "report"
    REVIEW = "review"
    REVIEW_BOOK = "review-book"
    SOFTWARE = "software"
    SONG = "song"
    SPEECH = "speech"
    STANDARD = "standard"
    THESIS = "thesis"
    TREATY = "treaty"
    WEBPAGE = "webpage"


DEFAULT_GROUPS = ("image", "primary", "secondary")
IMAGE_TYPES = {SourceType.GRAPHIC, SourceType.FIGURE, SourceType.MAP}

# Fields a type cannot do without; a tuple means "one of these".
REQUIRED: dict[SourceType, list[str | tuple[str, ...]]] = {
    SourceType.BOOK: ["title"],
    SourceType.CHAPTER: ["title", "container_title"],
    SourceType.ARTICLE_JOURNAL: ["title", "container_title"],
    SourceType.ARTICLE_MAGAZINE: ["title", "container_title"],
    SourceType.ARTICLE_NEWSPAPER: ["title", "container_title"],
    SourceType.ENTRY_ENCYCLOPEDIA: ["title", "container_title"],
    SourceType.ENTRY_DICTIONARY: ["title", "container_title"],
    SourceType.PAPER_CONFERENCE: ["title"],
    SourceType.WEBPAGE: ["title", ("url", "container_title")],
    SourceType.POST_WEBLOG: ["title", ("url", "container_title")],
    SourceType.GRAPHIC: ["title"],
    SourceType.FIGURE: ["title"],
    SourceType.MAP: ["title"],
    SourceType.MANUSCRIPT: ["title"],
    SourceType.REPORT: ["title"],
    SourceType.THESIS: ["title"],
    SourceType.DOCUMENT: ["title"],
    SourceType.PAMPHLET: ["title"],
    SourceType.DATASET: ["title"],
    SourceType.SOFTWARE: ["title"],
}

_REQUIRABLE = sorted(
    {f for needs in REQUIRED.values() for n in needs for f in (n if isinstance(n, tuple) else (n,))}
)
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+\-]{0,99}$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
MIN_YEAR = -3000


CslDate = Annotated[PartialDate | None, WithJsonSchema(CSL_DATE_SCHEMA)]


def _now() -> datetime:
    return datetime.now(UTC)


class Source(BaseModel):
    """A source record in CSL vocabulary, plus its ``group`` and the ``extra`` fields it came with.

    Field names are CSL's with underscores (``container_title``); the CSL spelling
    (``container-title``, ``URL``) is accepted too. ``validate_source`` reports every problem at
    once as :class:`citekit.errors.InvalidRecord`.
    """

    model_config = ConfigDict(
        alias_generator=kebab,
        populate_by_name=True,
        str_strip_whitespace=True,
        extra="forbid",
        use_enum_values=False,
    )

    id: str | None = None
    key: str | None = None
    type: SourceType
    group: str | None = None
    title: str | None = None
    title_short: str | None = None
    creators: list[Creator] = Field(default_factory=list)
    issued: CslDate = None
    original_date: CslDate = None
    accessed: CslDate = None
    container_title: str | None = None
    collection_title: str | None = None
    collection_number: str | None = None
    publisher: str | None = None
    publisher_place: str | None = None
    edition: str | None = None
    volume: str | None = None
    issue: str | None = None
    number_of_volumes: str | None = None
    page: str | None = None
    number: str | None = None
    genre: str | None = None
    medium: str | None = None
    source: str | None = None
    archive: str | None = None
    archive_location: str | None = None
    archive_place: str | None = None
    event_title: str | None = None
    url: str | None = Field(default=None, alias="URL")
    doi: str | None = Field(default=None, alias="DOI", max_length=300)
    isbn: str | None = Field(default=None, alias="ISBN", max_length=200)
    issn: str | None = Field(default=None, alias="ISSN", max_length=200)
    language: str | None = None
    abstract: str | None = None
    note: str | None = None
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    version: int = 0
    created: datetime | None = None
    modified: datetime | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _report_everything(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Source:
        """Field errors and missing required fields together, so a record shows all its problems."""
        problems: list[InitErrorDetails] = []
        result: Source | None = None
        try:
            result = handler(data)
        except ValidationError as exc:
            problems = [
                InitErrorDetails(
                    type=PydanticCustomError(e["type"], e["msg"].removeprefix("Value error, ")),
                    loc=e["loc"],
                    input=e.get("input"),
                )
                for e in exc.errors()
            ]
        # Only the fields a type may require are looked at: no second dump of the whole record.
        raw = (
            {"type": result.type, **{f: getattr(result, f) for f in _REQUIRABLE}}
            if result is not None
            else data
        )
        if isinstance(raw, Mapping):
            problems += [
                InitErrorDetails(
                    type=PydanticCustomError("missing_for_type", msg), loc=(field,), input=None
                )
                for field, msg in missing_required(raw)
            ]
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        assert result is not None
        return result

    @field_validator(
        "volume",
        "issue",
        "page",
        "number",
        "edition",
        "number_of_volumes",
        "collection_number",
        mode="before",
    )
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str | None) -> str | None:
        if value is not None and not KEY_PATTERN.match(value):
            raise ValueError(
                f"citation key {value!r} may hold only letters, digits and _ : . + - "
                "(no spaces, braces, commas or slashes; at most 100 characters)"
            )
        return value

    @field_validator("group")
    @classmethod
    def _check_group(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 64:
            raise ValueError("a group name has at most 64 characters")
        return value

    @field_validator("doi")
    @classmethod
    def _check_doi(cls, value: str | None) -> str | None:
        return normalise_doi(value) if value is not None else None

    @field_validator("isbn")
    @classmethod
    def _check_isbn(cls, value: str | None) -> str | None:
        return _identifiers(value, stdnum_isbn.compact, stdnum_isbn.validate, "ISBN")

    @field_validator("issn")
    @classmethod
    def _check_issn(cls, value: str | None) -> str | None:
        return _identifiers(value, stdnum_issn.format, stdnum_issn.validate, "ISSN")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None:
            check_url(value)
        return value

    @field_validator("accessed")
    @classmethod
    def _check_accessed(cls, value: PartialDate | None) -> PartialDate | None:
        if value is not None and value.year is not None:
            today = _now().date()
            point = value.end or value.start
            assert point is not None
            latest = (point.year, point.month or 1, point.day or 1)
            if latest > (today.year, today.month, today.day):
                raise ValueError(f"accessed date {value.edtf()} is in the future")
        return value

    @field_validator("issued", "original_date")
    @classmethod
    def _check_year(cls, value: PartialDate | None) -> PartialDate | None:
        if value is not None:
            limit = _now().year + 5
            for point in (value.start, value.end):
                if point is not None and not MIN_YEAR <= point.year <= limit:
                    raise ValueError(f"year {point.year} is outside {MIN_YEAR}..{limit}")
        return value

    @model_validator(mode="after")
    def _default_group(self) -> Source:
        if self.group is None:
            self.group = "image" if self.type in IMAGE_TYPES else "secondary"
        return self

    # -- views --------------------------------------------------------------------------------

    def creators_in(self, role: CreatorRole | str) -> list[Creator]:
        """The creators in one role, in order."""
        return [c for c in self.creators if c.role == role]

    @property
    def authors(self) -> list[Creator]:
        return self.creators_in(CreatorRole.AUTHOR)

    @property
    def year(self) -> int | None:
        return self.issued.year if self.issued else None


def normalise_doi(value: str) -> str:
    """``https://doi.org/10.1000/XYZ`` → ``10.1000/XYZ``; raises ValueError if it is no DOI."""
    doi = DOI_PREFIXES.sub("", value.strip())
    if not DOI_PATTERN.match(doi):
        raise ValueError(f"not a DOI: {value!r} (expected 10.NNNN/suffix)")
    return doi


def check_url(value: str) -> None:
    """Raise ValueError unless ``value`` is an absolute http(s) URL without spaces."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"URL must start with http:// or https://: {value!r}")
    if not parts.netloc or any(ch.isspace() for ch in value):
        raise ValueError(f"not a valid URL: {value!r}")


def _identifiers(
    value: str | None, normal: Callable[[str], str], validate: Callable[[str], str], name: str
) -> str | None:
    """Several ISBNs/ISSNs may share the field, separated by spaces, commas or semicolons."""
    if value is None:
        return None
    out = []
    for item in re.split(r"[\s,;]+(?=[0-9])", value.strip()):
        try:
            validate(item)
        except StdnumError as exc:
            raise ValueError(f"invalid {name} {item!r}: {exc}") from None
        out.append(normal(item))
    return " ".join(out)


def _present(raw: Mapping[str, Any], field: str) -> bool:
    for name in (field, kebab(field), field.upper()):
        value = raw.get(name)
        if value not in (None, "", [], {}):
            return not (isinstance(value, str) and not value.strip())
    return False


def missing_required(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each field the record's type needs and the record lacks."""
    try:
        kind = SourceType(str(raw.get("type")))
    except ValueError:
        return []
    out = []
    for need in REQUIRED.get(kind, []):
        if isinstance(need, tuple):
            if not any(_present(raw, f) for f in need):
                names = " or ".join(kebab(f) if f != "url" else "URL" for f in need)
                out.append((need[0], f"a {kind.value} needs {names}"))
        elif not _present(raw, need):
            out.append((need, f"a {kind.value} needs {kebab(need)}"))
    return out


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as citekit FieldErrors with clean messages."""
    return [
        FieldError(loc=tuple(e["loc"]), msg=e["msg"].removeprefix("Value error, "), type=e["type"])
        for e in exc.errors()
    ]


def validate_source(data: Mapping[str, Any] | Source) -> Source:
    """Build a Source from a mapping, raising InvalidRecord with every problem it has."""
    try:
        return Source.model_validate(data.model_dump() if isinstance(data, Source) else data)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def today() -> date:
    """Today in UTC (one clock for every date check)."""
    return _now().date()

"""Finding claims by quote, and the curated links file (claim quote → source key).

A link names its claim by any quote from the article, so it survives re-segmentation and edits
elsewhere in the text: ``{"quote": "Trotsky in 1918.", "source": "trotsky1918",
"relation": "illustrates"}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from citekit.model.article import Claim, Locator, Rank, Relation

# Typographic variants a writer types differently from the article.
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u00ad": None,
    }
)
_SPACE = re.compile(r"\s+")


def normalise_quote(text: str) -> str:
    """Straight quotes and dashes, whitespace runs as one space, case-folded.

    >>> normalise_quote("Trotsky’s  study")
    "trotsky's study"
    """
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def claims_quoted(quote: str, claims: Iterable[Claim]) -> list[Claim]:
    """The claims whose text contains ``quote``, tolerant of typography."""
    wanted = normalise_quote(quote)
    if not wanted:
        return []
    return [c for c in claims if wanted in normalise_quote(c.text)]


def claims_containing(quote: str, claims: Iterable[Claim]) -> list[Claim]:
    """The claims whose text contains ``quote`` (or is contained in it), tolerant of typography."""
    claims = list(claims)
    hits = claims_quoted(quote, claims)
    if hits:
        return hits
    # A quote spanning two sentences: every claim it covers whole.
    wanted = normalise_quote(quote)
    if not wanted:
        return []
    return [c for c in claims if len(c.text) > 3 and normalise_quote(c.text) in wanted]


_PLAIN_WORD = re.compile(r"[A-Za-z0-9]{3,}")


def plain_words(quote: str) -> list[str]:
    """The quote's runs of three or more ASCII letters and digits, each of which every claim
    that contains the quote holds too, in some letter case: filters a database can apply."""
    return list(dict.fromkeys(_PLAIN_WORD.findall(quote)))


class LinkSpec(BaseModel):
    """One curated link as written in a links file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    quote: str = Field(min_length=1)
    source: str = Field(min_length=1)
    relation: Relation = Relation.SUPPORTS
    locator: Locator | None = None
    rank: Rank = Rank.NORMAL
    quotation: str | None = None
    note: str | None = None
    basis: str | None = None

    @field_validator("locator", mode="before")
    @classmethod
    def _locator_text(cls, value: object) -> object:
        return Locator.parse(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class LinkProblem:
    """A link of the file that could not be used, and why."""

    index: int
    quote: str
    reason: str


@dataclass(frozen=True)
class ResolvedLink:
    """A link whose quote found its claim and whose key found its source."""

    spec: LinkSpec
    claim: Claim
    source_id: str


def parse_links(text: str) -> tuple[list[LinkSpec], list[LinkProblem]]:
    """Read a links file; each bad link becomes a problem naming its position."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [LinkProblem(-1, "", f"not JSON: line {exc.lineno}: {exc.msg}")]
    items = document.get("links") if isinstance(document, Mapping) else document
    if not isinstance(items, list):
        return [], [LinkProblem(-1, "", 'expected a list of links or {"links": [...]}')]
    specs: list[LinkSpec] = []
    problems: list[LinkProblem] = []
    for index, item in enumerate(items):
        try:
            specs.append(LinkSpec.model_validate(item))
        except (ValidationError, ValueError) as exc:
            quote = str(item.get("quote", "")) if isinstance(item, Mapping) else ""
            problems.append(LinkProblem(index, quote, str(exc).replace("\n", " ")))
    return specs, problems


def resolve_links(
    specs: Sequence[LinkSpec], claims: Sequence[Claim], source_ids: Mapping[str, str]
) -> tuple[list[ResolvedLink], list[LinkProblem]]:
    """Match each link to one claim by quote and to a source id by key (``source_ids``)."""
    resolved: list[ResolvedLink] = []
    problems: list[LinkProblem] = []
    for index, spec in enumerate(specs):
        found = claims_containing(spec.quote, claims)
        source_id = source_ids.get(spec.source)
        if source_id is None:
            problems.append(LinkProblem(index, spec.quote, f"no source with key {spec.source!r}"))
        elif not found:
            problems.append(LinkProblem(index, spec.quote, "no claim contains this quote"))
        elif len(found) > 1:
            problems.append(
                LinkProblem(index, spec.quote, f"the quote is in {len(found)} claims; quote more")
            )
        else:
            resolved.append(ResolvedLink(spec, found[0], source_id))
    return resolved, problems

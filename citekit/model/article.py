"""Articles, their claims, and the citations that link a claim to a source."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator


def text_hash(text: str) -> str:
    """Version hash of an article's text (sha256, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Article(BaseModel):
    """An article whose sentences and captions become claims."""

    id: str | None = None
    title: str
    author: str | None = None
    text: str
    version: int = 0
    created: datetime | None = None
    modified: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def version_hash(self) -> str:
        return text_hash(self.text)


class Anchor(BaseModel):
    """Where a claim sits in its article, as a web annotation selector: quote plus position."""

    model_config = ConfigDict(frozen=True)

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ClaimKind(StrEnum):
    SENTENCE = "sentence"
    CAPTION = "caption"


class Claim(BaseModel):
    """A factual statement of an article (a sentence or an image caption)."""

    id: str | None = None
    article_id: str
    section: str | None = None
    kind: ClaimKind = ClaimKind.SENTENCE
    text: str
    anchor: Anchor
    orphan: bool = False
    version: int = 0
    created: datetime | None = None
    modified: datetime | None = None


class LocatorLabel(StrEnum):
    """CSL locator types."""

    ACT = "act"
    APPENDIX = "appendix"
    ARTICLE = "article-locator"
    BOOK = "book"
    CANON = "canon"
    CHAPTER = "chapter"
    COLUMN = "column"
    ELOCATION = "elocation"
    EQUATION = "equation"
    FIGURE = "figure"
    FOLIO = "folio"
    ISSUE = "issue"
    LINE = "line"
    NOTE = "note"
    OPUS = "opus"
    PAGE = "page"
    PARAGRAPH = "paragraph"
    PART = "part"
    RULE = "rule"
    SCENE = "scene"
    SECTION = "section"
    SUB_VERBO = "sub-verbo"
    SUPPLEMENT = "supplement"
    TABLE = "table"
    TIMESTAMP = "timestamp"
    TITLE = "title-locator"
    VERSE = "verse"
    VOLUME = "volume"


# Abbreviations writers use in front of a locator ("p. 45", "fig. 3", "fol. 12r").
LOCATOR_TERMS: dict[str, LocatorLabel] = {
    "p": LocatorLabel.PAGE,
    "pp": LocatorLabel.PAGE,
    "page": LocatorLabel.PAGE,
    "pages": LocatorLabel.PAGE,
    "chap": LocatorLabel.CHAPTER,
    "ch": LocatorLabel.CHAPTER,
    "chapter": LocatorLabel.CHAPTER,
    "chapters": LocatorLabel.CHAPTER,
    "fig": LocatorLabel.FIGURE,
    "figs": LocatorLabel.FIGURE,
    "figure": LocatorLabel.FIGURE,
    "fol": LocatorLabel.FOLIO,
    "fols": LocatorLabel.FOLIO,
    "folio": LocatorLabel.FOLIO,
    "f": LocatorLabel.FOLIO,
    "ff": LocatorLabel.FOLIO,
    "l": LocatorLabel.LINE,
    "ll": LocatorLabel.LINE,
    "line": LocatorLabel.LINE,
    "lines": LocatorLabel.LINE,
    "n": LocatorLabel.NOTE,
    "nn": LocatorLabel.NOTE,
    "note": LocatorLabel.NOTE,
    "notes": LocatorLabel.NOTE,
    "sec": LocatorLabel.SECTION,
    "section": LocatorLabel.SECTION,
    "§": LocatorLabel.SECTION,
    "§§": LocatorLabel.SECTION,
    "vol": LocatorLabel.VOLUME,
    "vols": LocatorLabel.VOLUME,
    "volume": LocatorLabel.VOLUME,
    "para": LocatorLabel.PARAGRAPH,
    "paragraph": LocatorLabel.PARAGRAPH,
    "¶": LocatorLabel.PARAGRAPH,
    "pt": LocatorLabel.PART,
    "part": LocatorLabel.PART,
    "col": LocatorLabel.COLUMN,
    "column": LocatorLabel.COLUMN,
    "v": LocatorLabel.VERSE,
    "vv": LocatorLabel.VERSE,
    "verse": LocatorLabel.VERSE,
    "no": LocatorLabel.ISSUE,
    "bk": LocatorLabel.BOOK,
    "book": LocatorLabel.BOOK,
    "app": LocatorLabel.APPENDIX,
    "table": LocatorLabel.TABLE,
    "tbl": LocatorLabel.TABLE,
    "s.v": LocatorLabel.SUB_VERBO,
    "sv": LocatorLabel.SUB_VERBO,
    "op": LocatorLabel.OPUS,
    "sc": LocatorLabel.SCENE,
}
_LOCATOR = re.compile(r"^\s*(?P<term>s\.v\.|§§?|¶|[A-Za-z]+\.?)\s*(?P<value>\S.*)$")


class Locator(BaseModel):
    """A place in a source: ``Locator.parse("pp. 12–14")`` → page ``12–14``."""

    model_config = ConfigDict(frozen=True)

    label: LocatorLabel = LocatorLabel.PAGE
    value: str = Field(min_length=1, max_length=200)

    @classmethod
    def parse(cls, text: str) -> Locator:
        """``"45"`` and ``"p. 45"`` are pages; ``"fig. 3"``, ``"fol. 12r"``, ``"chap. 4"`` ..."""
        text = text.strip()
        if not text:
            raise ValueError("empty locator")
        m = _LOCATOR.match(text)
        if m:
            term = m["term"].lower().rstrip(".")
            if term in LOCATOR_TERMS:
                return cls(label=LOCATOR_TERMS[term], value=m["value"].strip())
            if m["term"].lower() == "s.v.":
                return cls(label=LocatorLabel.SUB_VERBO, value=m["value"].strip())
        return cls(label=LocatorLabel.PAGE, value=text)


class Relation(StrEnum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MENTIONS = "mentions"
    ILLUSTRATES = "illustrates"


class Rank(StrEnum):
    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


class Provenance(StrEnum):
    MANUAL = "manual"
    SUGGESTED = "suggested"


class Citation(BaseModel):
    """A link from a claim to a source that backs (or contradicts, or illustrates) it."""

    id: str | None = None
    claim_id: str
    source_id: str
    locator: Locator | None = None
    relation: Relation = Relation.SUPPORTS
    quotation: str | None = Field(default=None, max_length=10_000)
    note: str | None = Field(default=None, max_length=10_000)
    rank: Rank = Rank.NORMAL
    provenance: Provenance = Provenance.MANUAL
    version: int = 0
    created: datetime | None = None
    modified: datetime | None = None

    @field_validator("locator", mode="before")
    @classmethod
    def _locator_text(cls, value: object) -> object:
        return Locator.parse(value) if isinstance(value, str) else value

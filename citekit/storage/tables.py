"""SQLModel tables. Only citekit/storage knows SQL; rows are converted to model objects here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class SourceRow(SQLModel, table=True):
    """One source; ``data`` holds the full record, the other columns are indexes into it."""

    __tablename__ = "sources"

    id: str = Field(primary_key=True, max_length=16)
    key: str = Field(index=True, unique=True, max_length=100)
    type: str = Field(index=True, max_length=32)
    group_name: str = Field(index=True, max_length=64)
    year: int | None = Field(default=None, index=True)
    doi: str | None = Field(default=None, index=True, max_length=300)
    isbn: str | None = Field(default=None, index=True, max_length=200)
    title: str | None = Field(default=None, sa_column=Column(Text))
    first_creator: str | None = Field(default=None, max_length=300)
    creators_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created: datetime = Field(default_factory=utcnow)
    modified: datetime = Field(default_factory=utcnow)


class ArticleRow(SQLModel, table=True):
    __tablename__ = "articles"

    id: str = Field(primary_key=True, max_length=16)
    title: str = Field(sa_column=Column(Text, nullable=False))
    author: str | None = Field(default=None, max_length=300)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_hash: str = Field(max_length=64)
    bibliography: str | None = Field(default=None, sa_column=Column(Text))
    version: int = Field(default=1)
    created: datetime = Field(default_factory=utcnow)
    modified: datetime = Field(default_factory=utcnow)


class ClaimRow(SQLModel, table=True):
    __tablename__ = "claims"

    id: str = Field(primary_key=True, max_length=16)
    article_id: str = Field(foreign_key="articles.id", index=True, max_length=16)
    position: int = Field(default=0)
    section: str | None = Field(default=None, max_length=500)
    kind: str = Field(default="sentence", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    exact: str = Field(sa_column=Column(Text, nullable=False))
    prefix: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    suffix: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: int = Field(default=0)
    end: int = Field(default=0)
    orphan: bool = Field(default=False, index=True)
    version: int = Field(default=1)
    created: datetime = Field(default_factory=utcnow)
    modified: datetime = Field(default_factory=utcnow)


class CitationRow(SQLModel, table=True):
    __tablename__ = "citations"
    __table_args__ = (
        # An empty string stands for "no locator", so that the constraint sees it (NULLs differ).
        UniqueConstraint(
            "claim_id", "source_id", "locator_label", "locator_value", name="uq_citation"
        ),
    )

    id: str = Field(primary_key=True, max_length=16)
    claim_id: str = Field(foreign_key="claims.id", index=True, max_length=16)
    source_id: str = Field(foreign_key="sources.id", index=True, max_length=16)
    locator_label: str = Field(default="", max_length=32)
    locator_value: str = Field(default="", max_length=200)
    relation: str = Field(default="supports", max_length=16)
    quotation: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    rank: str = Field(default="normal", max_length=16)
    provenance: str = Field(default="manual", max_length=16)
    version: int = Field(default=1)
    created: datetime = Field(default_factory=utcnow)
    modified: datetime = Field(default_factory=utcnow)


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: str = Field(primary_key=True, max_length=16)
    name: str = Field(default="", max_length=200)
    prefix: str = Field(index=True, max_length=16)
    key_hash: str = Field(unique=True, max_length=128)
    scope: str = Field(default="read", max_length=16)
    revoked: bool = Field(default=False)
    created: datetime = Field(default_factory=utcnow)
    last_used: datetime | None = None


Index("ix_claims_article_position", ClaimRow.article_id, ClaimRow.position)  # type: ignore[arg-type]


class LibraryRow(SQLModel, table=True):
    """The library's identity and version: one row. The version goes up by one with every
    transaction that writes (as in the Zotero Web API), so that a reader can tell whether what
    it computed from the library still holds."""

    __tablename__ = "library"

    id: int = Field(default=1, primary_key=True)
    uid: str = Field(max_length=32)
    version: int = Field(default=0)

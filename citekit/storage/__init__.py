"""Storage: SQLModel tables, engines, repository functions. The only package that speaks SQL."""

from citekit.storage import library
from citekit.storage.engine import make_engine, session_scope, upgrade
from citekit.storage.tables import (
    ApiKeyRow,
    ArticleRow,
    CitationRow,
    ClaimRow,
    LibraryRow,
    SourceRow,
)

__all__ = [
    "ApiKeyRow",
    "ArticleRow",
    "CitationRow",
    "ClaimRow",
    "LibraryRow",
    "SourceRow",
    "library",
    "make_engine",
    "session_scope",
    "upgrade",
]

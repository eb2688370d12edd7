"""citekit's records: pure pydantic models in CSL vocabulary (no I/O here)."""

from citekit.model.article import (
    Anchor,
    Article,
    Citation,
    Claim,
    ClaimKind,
    Locator,
    LocatorLabel,
    Provenance,
    Rank,
    Relation,
    text_hash,
)
from citekit.model.dates import DatePoint, PartialDate
from citekit.model.keys import base_key, make_key, unique_key
from citekit.model.names import Creator, CreatorRole, Name
from citekit.model.source import (
    DEFAULT_GROUPS,
    Source,
    SourceType,
    field_errors,
    missing_required,
    validate_source,
)

__all__ = [
    "DEFAULT_GROUPS",
    "Anchor",
    "Article",
    "Citation",
    "Claim",
    "ClaimKind",
    "Creator",
    "CreatorRole",
    "DatePoint",
    "Locator",
    "LocatorLabel",
    "Name",
    "PartialDate",
    "Provenance",
    "Rank",
    "Relation",
    "Source",
    "SourceType",
    "base_key",
    "field_errors",
    "make_key",
    "missing_required",
    "text_hash",
    "unique_key",
    "validate_source",
]

"""citekit: a source-citation and bibliography manager."""

from citekit.errors import (
    CitekitError,
    Conflict,
    FieldError,
    InvalidRecord,
    NotFound,
    VersionConflict,
)
from citekit.model import (
    Article,
    Citation,
    Claim,
    Creator,
    CreatorRole,
    Locator,
    Name,
    PartialDate,
    Source,
    SourceType,
    validate_source,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Citation",
    "CitekitError",
    "Claim",
    "Conflict",
    "Creator",
    "CreatorRole",
    "FieldError",
    "InvalidRecord",
    "Locator",
    "Name",
    "NotFound",
    "PartialDate",
    "Source",
    "SourceType",
    "VersionConflict",
    "__version__",
    "validate_source",
]

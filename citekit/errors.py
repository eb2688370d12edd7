"""Exceptions raised by citekit's services; the API maps each to application/problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``FieldError(("doi",), "not a DOI: 'x'")``."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"

    @property
    def path(self) -> str:
        """The field path in dotted form, ``creators.0.family``."""
        return ".".join(str(part) for part in self.loc) or "(record)"

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "path": self.path, "msg": self.msg, "type": self.type}


class CitekitError(Exception):
    """Base of every error citekit raises on purpose; ``status`` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRecord(CitekitError):
    """A record (or request body) failed validation; ``errors`` lists every problem found."""

    status = 422
    title = "Invalid record"

    def __init__(self, errors: list[FieldError], *, what: str = "record") -> None:
        self.errors = list(errors)
        lines = "; ".join(f"{e.path}: {e.msg}" for e in self.errors)
        super().__init__(f"invalid {what}: {lines}")


class NotFound(CitekitError):
    status = 404
    title = "Not found"


class Conflict(CitekitError):
    """The write conflicts with what is stored (a duplicate key, a duplicate link)."""

    status = 409
    title = "Conflict"


class VersionConflict(CitekitError):
    """The caller's expected version is stale; ``current`` is the stored version."""

    status = 412
    title = "Precondition failed"

    def __init__(self, detail: str, *, current: int) -> None:
        super().__init__(detail)
        self.current = current


class PreconditionRequired(CitekitError):
    status = 428
    title = "Precondition required"


class Unauthorized(CitekitError):
    status = 401
    title = "Unauthorized"


class Forbidden(CitekitError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(CitekitError):
    status = 413
    title = "Payload too large"


class UnsupportedFormat(CitekitError):
    """An unknown format, style or content type, or input that cannot be decoded at all."""

    status = 415
    title = "Unsupported format"


class RenderError(CitekitError):
    """A style could not render a record (e.g. a CSL style the fallback engine cannot handle)."""

    status = 422
    title = "Cannot render"

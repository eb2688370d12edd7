"""Use cases shared by the API and the CLI. Keyword-only arguments; failures raise citekit.errors.

Each section below belongs to one capability (sources, formats, styles, claims, API keys...).
Functions take an open ``Session`` first and never commit: the caller's ``session_scope`` does,
so a use case is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from citekit.errors import Conflict, FieldError, InvalidRecord, NotFound, VersionConflict
from citekit.model import Source, make_key, validate_source
from citekit.model.keys import base_key
from citekit.storage import repository as repo
from citekit.storage.tables import CitationRow, SourceRow

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------

SORTS = tuple(repo.SORT_COLUMNS)
DEMO_DIR = Path(__file__).resolve().parent.parent / "references" / "trotsky-last-exile"


def _check_version(row: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and expected_version != row.version:
        raise VersionConflict(
            f"{what} is at version {row.version}, not {expected_version}: "
            "fetch it again and re-apply your change",
            current=row.version,
        )


def _source_row(session: Session, ref: str) -> SourceRow:
    row = repo.get_source_row(session, ref)
    if row is None:
        raise NotFound(f"no source with id or key {ref!r}")
    return row


def _free_key(session: Session, source: Source, *, own_id: str | None = None) -> str:
    """The record's own key if it is free (or already its own), else a new unique one."""
    if source.key:
        holder = repo.get_source_row(session, source.key)
        if holder is not None and holder.id != own_id and holder.key == source.key:
            raise Conflict(f"citation key {source.key!r} is already used by source {holder.id}")
        return source.key
    base = base_key(source)
    return make_key(source, repo.keys_like(session, base))


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"{what} conflicts with a stored record (a key or id is taken)") from exc


def add_source(session: Session, *, data: Mapping[str, Any] | Source) -> Source:
    """Validate and store a new source; a missing key is generated, a given key is kept."""
    source = validate_source(data)
    if source.id and session.get(SourceRow, source.id) is not None:
        raise Conflict(f"a source with id {source.id!r} exists already")
    source.key = _free_key(session, source)
    row = repo.source_to_row(source)
    session.add(row)
    _flush(session, f"source {source.key!r}")
    return repo.row_to_source(row)


def add_sources(session: Session, *, records: Iterable[Mapping[str, Any] | Source]) -> list[Source]:
    """Store several sources in the caller's transaction; the first invalid one stops them all."""
    out = []
    for index, record in enumerate(records):
        try:
            out.append(add_source(session, data=record))
        except InvalidRecord as exc:
            raise InvalidRecord(
                [FieldError(loc=(index, *e.loc), msg=e.msg, type=e.type) for e in exc.errors]
            ) from None
    return out


def get_source(session: Session, *, ref: str) -> Source:
    """A source by id or citation key."""
    return repo.row_to_source(_source_row(session, ref))


def replace_source(
    session: Session,
    *,
    ref: str,
    data: Mapping[str, Any] | Source,
    expected_version: int | None = None,
) -> Source:
    """Replace a record's fields; its id stays, and so does its key unless a new one is given."""
    row = _source_row(session, ref)
    _check_version(row, expected_version, f"source {row.key!r}")
    fields = data.model_dump(exclude_none=True) if isinstance(data, Source) else dict(data)
    for name in ("id", "version", "created", "modified"):
        fields.pop(name, None)
    fields.setdefault("key", row.key)
    source = validate_source(fields)
    source.id = row.id
    source.key = _free_key(session, source, own_id=row.id)
    if repo.source_to_row(source).data == row.data and source.key == row.key:
        return repo.row_to_source(row)
    repo.source_to_row(source, row)
    repo.touch(row)
    session.add(row)
    _flush(session, f"source {source.key!r}")
    return repo.row_to_source(row)


def patch_source(
    session: Session,
    *,
    ref: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Source:
    """Change some fields; a field set to null is removed. Field names in either spelling."""
    row = _source_row(session, ref)
    _check_version(row, expected_version, f"source {row.key!r}")
    current = repo.row_to_source(row).model_dump(exclude_none=True)
    aliases = {f.alias: name for name, f in Source.model_fields.items() if f.alias}
    for name, value in changes.items():
        field = aliases.get(name, name)
        if value is None:
            current.pop(field, None)
        else:
            current[field] = value
    return replace_source(session, ref=row.id, data=current)


def delete_source(session: Session, *, ref: str, expected_version: int | None = None) -> None:
    """Delete a source and the claim links that cite it."""
    row = _source_row(session, ref)
    _check_version(row, expected_version, f"source {row.key!r}")
    for link in session.exec(select(CitationRow).where(CitationRow.source_id == row.id)):
        session.delete(link)
    session.delete(row)
    session.flush()


def list_sources(
    session: Session,
    *,
    q: str | None = None,
    group: str | None = None,
    type: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    creator: str | None = None,
    sort: str = "key",
    direction: str = "asc",
    start: int = 0,
    limit: int | None = None,
) -> tuple[list[Source], int]:
    """Sources matching the filters (``q`` searches title, creators, year, DOI, ISBN, key)."""
    if sort not in repo.SORT_COLUMNS:
        raise InvalidRecord(
            [FieldError(("sort",), f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")],
            what="query",
        )
    if direction not in ("asc", "desc"):
        raise InvalidRecord([FieldError(("direction",), "direction is asc or desc")], what="query")
    conditions = repo.source_filters(
        q=q, group=group, type=type, year_from=year_from, year_to=year_to, creator=creator
    )
    rows, total = repo.query_sources(
        session, conditions, sort=sort, direction=direction, start=start, limit=limit
    )
    return [repo.row_to_source(r) for r in rows], total


def count_sources(session: Session, **filters: Any) -> int:
    """How many sources match the filters of ``list_sources``."""
    _, total = repo.query_sources(session, repo.source_filters(**filters), limit=0)
    return total


def load_demo_library(session: Session, *, directory: Path = DEMO_DIR) -> int:
    """Load the demo library (sources, then article and links where present) into an empty
    database; returns the number of sources added (0 if the library holds sources already)."""
    if count_sources(session) > 0:
        return 0
    from citekit.formats import csljson

    result = csljson.parse((directory / "sources.json").read_text(encoding="utf-8"))
    if result.failures:
        reasons = "; ".join(f.reason for f in result.failures)
        raise InvalidRecord([FieldError(("sources.json",), reasons)], what="demo library")
    return len(add_sources(session, records=result.records))

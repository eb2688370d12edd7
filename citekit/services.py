"""Use cases shared by the API and the CLI. Keyword-only arguments; failures raise citekit.errors.

Each section below belongs to one capability (sources, formats, styles, claims, API keys...).
Functions take an open ``Session`` first and never commit: the caller's ``session_scope`` does,
so a use case is all-or-nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from citekit import duplicates, integrity
from citekit.errors import (
    CitekitError,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRecord,
    NotFound,
    PayloadTooLarge,
    PreconditionRequired,
    Unauthorized,
    VersionConflict,
)
from citekit.model import Source, make_key, validate_source
from citekit.model.keys import base_key
from citekit.storage import repository as repo
from citekit.storage.tables import ApiKeyRow, ArticleRow, CitationRow, SourceRow

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


# ---------------------------------------------------------------------------------------------
# Batches (API: POST /sources/batch)
# ---------------------------------------------------------------------------------------------

MAX_BATCH = 50


class BatchFailure(BaseModel):
    """Why one object of a batch failed: an HTTP-like ``code`` and a message."""

    code: int
    message: str
    key: str | None = None
    errors: list[dict[str, Any]] | None = None


class BatchOutcome(BaseModel):
    """Per-object results of a batch, keyed by the object's index (as a string)."""

    successful: dict[str, Source] = Field(default_factory=dict)
    unchanged: dict[str, str] = Field(default_factory=dict)
    failed: dict[str, BatchFailure] = Field(default_factory=dict)


def _batch_one(session: Session, item: Mapping[str, Any]) -> tuple[Source, bool]:
    """Create (no ``id``) or patch (``id`` + ``version``) one object; True if it changed."""
    if not isinstance(item, Mapping):
        raise InvalidRecord([FieldError((), "each object of a batch is a JSON object")])
    if not item.get("id"):
        return add_source(session, data=item), True
    version = item.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise PreconditionRequired(
            f"object with id {item['id']!r} needs the integer version it was read at"
        )
    changes = {k: v for k, v in item.items() if k not in ("id", "version", "created", "modified")}
    before = get_source(session, ref=str(item["id"]))
    _check_version(before, version, f"source {before.key!r}")
    after = patch_source(session, ref=str(item["id"]), changes=changes)
    return after, after.version != before.version


def save_sources_batch(session: Session, *, objects: Sequence[Any]) -> BatchOutcome:
    """Create and update up to 50 sources, each in a savepoint of its own: one object's failure
    (invalid, unknown id, stale version, key taken) is reported and leaves the others stored."""
    if len(objects) > MAX_BATCH:
        raise PayloadTooLarge(f"a batch holds at most {MAX_BATCH} objects, not {len(objects)}")
    outcome = BatchOutcome()
    for index, item in enumerate(objects):
        at = str(index)
        try:
            with session.begin_nested():
                source, changed = _batch_one(session, item)
        except CitekitError as exc:
            errors = exc.errors if isinstance(exc, InvalidRecord) else None
            outcome.failed[at] = BatchFailure(
                code=exc.status,
                message=exc.detail,
                key=item.get("key") if isinstance(item, Mapping) else None,
                errors=[e.as_dict() for e in errors] if errors is not None else None,
            )
            continue
        if changed:
            outcome.successful[at] = source
        else:
            outcome.unchanged[at] = source.id or ""
    return outcome


# ---------------------------------------------------------------------------------------------
# API keys: random tokens shown once, stored as sha256 hashes
# ---------------------------------------------------------------------------------------------

API_KEY_SCOPES = ("read", "write")
_TOKEN_PREFIX = "ck_"
# Bumping last_used on every request would turn each read into a write; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiKey(BaseModel):
    """An API key as listed (never the token itself): ``prefix`` helps people tell keys apart."""

    id: str
    name: str
    prefix: str
    scope: str
    revoked: bool
    created: datetime
    last_used: datetime | None = None


def _token_hash(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash cannot be brute-forced; a slow one (argon2)
    # would only add its cost to every API request.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey.model_validate(row, from_attributes=True)


def create_api_key(session: Session, *, scope: str, name: str = "") -> tuple[ApiKey, str]:
    """A new key and its token (``ck_…``); only the hash is stored, so show the token once."""
    if scope not in API_KEY_SCOPES:
        raise InvalidRecord(
            [FieldError(("scope",), f"scope is read or write, not {scope!r}")], what="API key"
        )
    if len(name) > 200:
        raise InvalidRecord([FieldError(("name",), "at most 200 characters")], what="API key")
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow.model_validate(
        {
            "id": repo.new_id(),
            "name": name,
            "prefix": token[:10],
            "key_hash": _token_hash(token),
            "scope": scope,
        }
    )
    session.add(row)
    session.flush()
    return _api_key(row), token


def verify_api_key(session: Session, *, token: str, scope: str = "read") -> ApiKey:
    """The key a token belongs to; Unauthorized if unknown or revoked, Forbidden if its scope is
    too narrow (a read key asked to write)."""
    row = session.exec(select(ApiKeyRow).where(ApiKeyRow.key_hash == _token_hash(token))).first()
    if row is None or row.revoked:
        raise Unauthorized("unknown or revoked API key")
    if scope == "write" and row.scope != "write":
        raise Forbidden(f"API key {row.prefix}… is read-only; this needs a key with write scope")
    now = datetime.now(UTC)
    last = row.last_used
    # SQLite hands datetimes back without their zone; they were stored in UTC.
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is None or now - last > _LAST_USED_GRANULARITY:
        row.last_used = now
        session.add(row)
    return _api_key(row)


def list_api_keys(session: Session) -> list[ApiKey]:
    """Every key, newest first (revoked ones included, marked)."""
    rows = session.exec(select(ApiKeyRow).order_by(ApiKeyRow.created.desc()))  # type: ignore[attr-defined]
    return [_api_key(r) for r in rows]


def revoke_api_key(session: Session, *, ref: str) -> ApiKey:
    """Revoke a key by its id or its prefix (``ck_AbCdEfG``); NotFound if none matches."""
    row = session.get(ApiKeyRow, ref)
    if row is None:
        matches = list(session.exec(select(ApiKeyRow).where(ApiKeyRow.prefix == ref)))
        if len(matches) > 1:
            raise Conflict(f"prefix {ref!r} matches {len(matches)} keys; use the id")
        row = matches[0] if matches else None
    if row is None:
        raise NotFound(f"no API key with id or prefix {ref!r}")
    row.revoked = True
    session.add(row)
    session.flush()
    return _api_key(row)


# ---------------------------------------------------------------------------------------------
# Integrity checks, duplicates and merging (issue 3)
# ---------------------------------------------------------------------------------------------


def _library_in_order(session: Session) -> list[Source]:
    """Every source in the order it was added, which is the order of the list it came from."""
    rows, _ = repo.query_sources(session, [], sort="created")
    return [repo.row_to_source(r) for r in rows]


def _article_text(session: Session, article: str | None) -> str | None:
    """One article's text, or every article's when none is named (names are checked against it)."""
    if article is not None:
        row = session.get(ArticleRow, article)
        if row is None:
            raise NotFound(f"no article with id {article!r}")
        return row.text
    return "\n\n".join(session.exec(select(ArticleRow.text))) or None


def check_library(
    session: Session, *, article: str | None = None, style: str = "chicago"
) -> list[integrity.Finding]:
    """Integrity findings for the whole library, creators' names checked against the articles."""
    return integrity.check_sources(
        _library_in_order(session), article_text=_article_text(session, article), style=style
    )


def check_source(session: Session, *, ref: str, style: str = "chicago") -> list[integrity.Finding]:
    """Integrity findings for one source (by id or key)."""
    source = get_source(session, ref=ref)
    findings = integrity.check_source(source, style=style)
    text = _article_text(session, None)
    if text:
        findings += integrity.check_names_against_text([source], text)
    return integrity.sort_findings(findings)


def check_file(
    *,
    data: bytes,
    format: str | None = None,
    filename: str | None = None,
    article_text: str | None = None,
    style: str = "chicago",
) -> list[integrity.Finding]:
    """Check a file before importing it: unreadable entries, guessed fields, every record check,
    and for a free-text bibliography the defects of each line as it was typed."""
    from citekit.formats import base, format_for_suffix, get_format

    text, notices = base.decode(data)
    if format is not None:
        chosen = get_format(format)
    elif filename is not None and base.suffix_of(filename):
        chosen = format_for_suffix(filename)
    else:
        chosen = get_format(base.sniff(text) or "plaintext")
    result = chosen.parse(text)
    findings = [
        integrity.Finding("decoding", integrity.Severity.INFO, n.message, line=n.line)
        for n in notices
    ]
    findings += integrity.check_parse_result(
        result,
        text=text if chosen.name == "plaintext" else None,
        article_text=article_text,
        style=style,
    )
    return findings


class DuplicateMatch(BaseModel):
    """Two stored sources that look like one, and why."""

    first: Source
    second: Source
    reasons: list[str]


def find_duplicates(session: Session) -> list[DuplicateMatch]:
    """Likely duplicates in the library: same DOI or ISBN, or same title, year ±1 and creator."""
    sources = _library_in_order(session)
    return [
        DuplicateMatch(first=sources[p.first], second=sources[p.second], reasons=list(p.reasons))
        for p in duplicates.find_duplicates(sources)
    ]


class MergeReport(BaseModel):
    """What a merge did: the surviving record, the fields it gained, the conflicts it kept in
    ``extra``, and the claim links moved to it (or dropped when it had the same link already)."""

    source: Source
    removed: str
    filled: list[str]
    added_creators: list[str]
    conflicts: list[dict[str, Any]]
    links_moved: int
    links_dropped: int


def _move_links(session: Session, *, to: str, away: str) -> tuple[int, int]:
    """Point the claim links of source ``away`` at source ``to``; a link ``to`` already has (same
    claim and locator) is dropped, after lending it any quotation or note it lacked."""
    moved = dropped = 0
    links = session.exec(select(CitationRow).where(CitationRow.source_id == away)).all()
    for link in links:
        twin = session.exec(
            select(CitationRow).where(
                CitationRow.source_id == to,
                CitationRow.claim_id == link.claim_id,
                CitationRow.locator_label == link.locator_label,
                CitationRow.locator_value == link.locator_value,
            )
        ).first()
        if twin is None:
            link.source_id = to
            repo.touch(link)
            session.add(link)
            moved += 1
            continue
        if (twin.quotation is None and link.quotation) or (twin.note is None and link.note):
            twin.quotation = twin.quotation or link.quotation
            twin.note = twin.note or link.note
            repo.touch(twin)
            session.add(twin)
        session.delete(link)
        dropped += 1
    session.flush()
    return moved, dropped


def merge_sources(
    session: Session,
    *,
    keep: str,
    other: str,
    expected_version: int | None = None,
    other_version: int | None = None,
) -> MergeReport:
    """Merge source ``other`` into ``keep`` (ids or keys) and delete it: ``keep``'s values win,
    every value of ``other`` it overrides is kept in ``extra`` and reported, and every claim
    link to ``other`` moves to ``keep``. All in the caller's transaction."""
    keep_row, other_row = _source_row(session, keep), _source_row(session, other)
    if keep_row.id == other_row.id:
        raise Conflict(f"cannot merge source {keep_row.key!r} into itself")
    _check_version(keep_row, expected_version, f"source {keep_row.key!r}")
    _check_version(other_row, other_version, f"source {other_row.key!r}")
    plan = duplicates.plan_merge(repo.row_to_source(keep_row), repo.row_to_source(other_row))
    moved, dropped = _move_links(session, to=keep_row.id, away=other_row.id)
    removed = other_row.key
    session.delete(other_row)
    session.flush()
    merged = replace_source(session, ref=keep_row.id, data=plan.merged)
    summary = plan.as_dict()
    return MergeReport(
        source=merged,
        removed=removed,
        filled=summary["filled"],
        added_creators=summary["added_creators"],
        conflicts=summary["conflicts"],
        links_moved=moved,
        links_dropped=dropped,
    )

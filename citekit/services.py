"""Use cases shared by the API and the CLI. Keyword-only arguments; failures raise citekit.errors.

Each section below belongs to one capability (sources, formats, styles, claims, API keys...).
Functions take an open ``Session`` first and never commit: the caller's ``session_scope`` does,
so a use case is all-or-nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

from pydantic import (
    BaseModel,
    Field,
    FieldSerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    computed_field,
    field_serializer,
)
from pydantic_core import to_json
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from citekit import duplicates, integrity
from citekit.claims import manuscript
from citekit.claims.anchor import Method, claims_from_spans, reanchor
from citekit.claims.annotate import Cited, annotate
from citekit.claims.article import claim_spans, parse_article
from citekit.claims.links import (
    claims_containing,
    claims_quoted,
    parse_links,
    plain_words,
    resolve_links,
)
from citekit.claims.manuscript import RenderedManuscript
from citekit.claims.suggest import Suggester, Suggestion
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
from citekit.model import Source, field_errors, make_key, validate_source
from citekit.model.article import (
    Article,
    Citation,
    Claim,
    ClaimKind,
    Locator,
    Provenance,
    Rank,
    Relation,
    text_hash,
)
from citekit.model.keys import base_key
from citekit.render import render_bibliography, render_citation
from citekit.render.styles import CitationItem, Position, Style, get_style
from citekit.storage import library
from citekit.storage import repository as repo
from citekit.storage.tables import ApiKeyRow, ArticleRow, CitationRow, ClaimRow, SourceRow

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
        # No rollback here: the caller's savepoint or session_scope undoes exactly its own work.
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


def source_record(session: Session, *, ref: str) -> dict[str, Any]:
    """As ``get_source``, as the stored record (JSON-ready, CSL spelling) without validating it
    again (API: GET /sources/{ref})."""
    row = repo.source_columns(session, ref)
    if row is None:
        raise NotFound(f"no source with id or key {ref!r}")
    return repo.source_record(row)


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


def _source_rows(
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
) -> tuple[list[Any], int]:
    if sort not in repo.SORT_COLUMNS:
        raise InvalidRecord(
            [FieldError(("sort",), f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")],
            what="query",
        )
    if direction not in ("asc", "desc"):
        raise InvalidRecord([FieldError(("direction",), "direction is asc or desc")], what="query")
    dialect = session.get_bind().dialect.name
    # The match count is kept per library version under the filters (not the page or order).
    cache_key = ("sources", q, group, type, year_from, year_to, creator)
    others = group or type or creator or year_from is not None or year_to is not None
    if q and dialect == "sqlite" and not others:
        found = repo.search_sources(
            session,
            q=q,
            sort=sort,
            direction=direction,
            start=start,
            limit=limit,
            cache_key=cache_key,
        )
        if found is not None:
            return found
    conditions = repo.source_filters(
        q=q,
        group=group,
        type=type,
        year_from=year_from,
        year_to=year_to,
        creator=creator,
        dialect=dialect,
    )
    return repo.query_sources(
        session,
        conditions,
        sort=sort,
        direction=direction,
        start=start,
        limit=limit,
        cache_key=cache_key,
    )


def list_sources(session: Session, **filters: Any) -> tuple[list[Source], int]:
    """Sources matching the filters (``q`` searches title, creators, year, DOI, ISBN, key;
    ``group``, ``type``, ``year_from``, ``year_to``, ``creator``; ``sort``, ``direction``,
    ``start``, ``limit``), and how many match in all."""
    rows, total = _source_rows(session, **filters)
    return [repo.row_to_source(r) for r in rows], total


class SourcePage(NamedTuple):
    """One page of sources as JSON (an array of stored records, CSL spelling), how many match
    in all, and the library's version; ``json`` is None when the library has not changed since
    the version the caller named."""

    json: bytes | None
    total: int
    version: int


def list_source_records(
    session: Session, *, since: int | None = None, **filters: Any
) -> SourcePage:
    """As ``list_sources``, but as JSON built from the stored records without validating them
    again, and kept until the library changes (API: GET /sources). With ``since`` (a library
    version, as Zotero's ``If-Modified-Since-Version``) nothing is read if the library is
    unchanged since."""
    uid, version = library.state(session)
    if since is not None and version <= since:
        return SourcePage(None, 0, version)

    def compute() -> SourcePage:
        rows, total = _source_rows(session, **filters)
        return SourcePage(to_json([repo.source_record(r) for r in rows]), total, version)

    key = ("sources", *sorted(filters.items()))
    return repo.KEPT_PAGES.get(session, key, compute, known=(uid, version))


def count_sources(session: Session, **filters: Any) -> int:
    """How many sources match the filters of ``list_sources``."""
    conditions = repo.source_filters(**filters, dialect=session.get_bind().dialect.name)
    return repo.count_sources(session, conditions)


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
    added = len(add_sources(session, records=result.records))
    load_demo_article(session, directory=directory)
    return added


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


class ClaimDetail(BaseModel):
    """A claim with the citations that link it to sources (API: GET /claims/{id})."""

    claim: Claim
    citations: list[ClaimSupport]


def claim_with_sources(session: Session, *, ref: str) -> ClaimDetail:
    """A claim (id or quote) and its citations with their sources, preferred first."""
    rows = repo.claim_with_citations(session, ref)
    if not rows:  # not an id: a quote, or nothing (NotFound)
        claim = get_claim(session, ref=ref)
        return ClaimDetail(claim=claim, citations=sources_for_claim(session, claim=claim.id or ref))
    supports = [
        ClaimSupport(citation=_citation(citation), source=repo.row_to_source(source))
        for _, citation, source in rows
        if citation is not None and source is not None
    ]
    supports.sort(key=lambda x: (_RANK_ORDER[x.citation.rank], x.source.key or ""))
    return ClaimDetail(claim=_claim(rows[0][0]), citations=supports)


class ClaimRecord(NamedTuple):
    """``GET /claims/{id}`` as JSON-ready data (the shape of ``ClaimDetail``), its claim's
    version, and a tag that changes whenever the claim, one of its citations or one of their
    sources does (an entity tag)."""

    record: dict[str, Any]
    version: int
    tag: str


def _tag(*versions: object) -> str:
    return hashlib.blake2b(repr(versions).encode(), digest_size=8).hexdigest()


def claim_record(session: Session, *, ref: str) -> ClaimRecord:
    """As ``claim_with_sources``, with each source read as stored rather than validated again
    (``repo.source_record``): a claim's page of sources is the API's busiest read."""
    found = claim_record_by_id(session, ref=ref)
    if found is None:  # a quote: the one claim that contains it (or NotFound), then by its id
        found = claim_record_by_id(session, ref=_claim_row(session, ref).id)
    assert found is not None  # the claim was just read in this transaction
    return found


def claim_record_by_id(session: Session, *, ref: str) -> ClaimRecord | None:
    """``claim_record`` for an id only: one indexed read; None if no claim has that id."""
    rows = repo.claim_with_citations(session, ref)
    if not rows:
        return None
    claim_row = rows[0][0]
    supports = sorted(
        (
            (_RANK_ORDER[Rank(citation.rank)], source.key, _citation_values(citation), source)
            for _, citation, source in rows
            if citation is not None and source is not None
        ),
        key=lambda x: (x[0], x[1]),
    )
    # Claims and citations are served as stored, as sources are: the tests hold these records
    # equal to the models' own dumps.
    record = {
        "claim": _claim_values(claim_row),
        "citations": [
            {"citation": citation, "source": repo.source_record(source)}
            for _, _, citation, source in supports
        ],
    }
    parts = [(c["id"], c["version"], s.id, s.version) for _, _, c, s in supports]
    return ClaimRecord(record, claim_row.version, _tag(claim_row.id, claim_row.version, parts))


def cite_sources(
    session: Session,
    *,
    items: Sequence[tuple[str, str | None]],
    style: str = "chicago-notes-bibliography",
    short: bool = False,
    format: str = "text",
) -> str:
    """One citation of several sources (ref, locator): ``(Deutscher 1963, 45; Service 2009)``,
    or one note citing them all (API: /cite)."""
    if not items:
        raise InvalidRecord([FieldError(("items",), "cite at least one source")], what="citation")
    cited = []
    for index, (ref, locator) in enumerate(items):
        try:
            place = Locator.parse(locator) if locator else None
        except (ValueError, ValidationError) as exc:
            raise InvalidRecord(
                [FieldError(("items", index, "locator"), str(exc))], what="citation"
            ) from None
        cited.append(CitationItem(source=get_source(session, ref=ref), locator=place))
    library, _ = list_sources(session)
    position = Position.SUBSEQUENT if short else Position.FIRST
    return render_citation(
        cited, style=_style_for(style, library), format=format, position=position
    )


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
    session: Session,
    *,
    article: str | None = None,
    article_text: str | None = None,
    style: str = "chicago",
) -> list[integrity.Finding]:
    """Integrity findings for the whole library; creators' names are checked against
    ``article_text`` when given, else against the stored article ``article`` (else all)."""
    if article_text is None:
        article_text = _article_text(session, article)
    return integrity.check_sources(
        _library_in_order(session), article_text=article_text, style=style
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


# ---------------------------------------------------------------------------------------------
# Articles, claims and citations (claim ⇄ source links)
# ---------------------------------------------------------------------------------------------


class ArticleImport(BaseModel):
    """What importing an article produced; ``bibliography`` is its split-off raw text."""

    article: Article
    claims: int
    captions: int
    sections: list[str]
    bibliography: str | None = None
    sources: ImportReport | None = None  # when the bibliography was imported too


class Reanchored(BaseModel):
    """The outcome of replacing an article's text: how each claim was found, or not."""

    article: Article
    counts: dict[str, int]
    found_share: float
    orphans: list[Claim]
    new_claims: list[Claim]
    fuzzy: list[Claim]


class ClaimSupport(BaseModel):
    """A citation of a claim, with its source."""

    citation: Citation
    source: Source

    @field_serializer("source", mode="wrap")
    def _source_without_empty_fields(  # type: ignore[no-untyped-def]
        self, source: Source, _handler: SerializerFunctionWrapHandler, info: FieldSerializationInfo
    ):
        # As everywhere else a source is shown (GET /sources): empty fields are left out, nested
        # ones too. No return annotation, so that the schema stays Source's.
        return source.model_dump(mode=info.mode, by_alias=info.by_alias, exclude_none=True)


class SourceUse(BaseModel):
    """A citation of a source, with the claim it backs."""

    citation: Citation
    claim: Claim


class SectionCoverage(BaseModel):
    """How many claims of a section have a supporting (or illustrating) citation."""

    section: str | None
    claims: int
    supported: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float:
        return self.supported / self.claims if self.claims else 1.0


class Coverage(BaseModel):
    """Coverage per section and for the whole article (orphans are not counted)."""

    article_id: str
    sections: list[SectionCoverage]
    total: SectionCoverage


class LinksLoad(BaseModel):
    """Curated links loaded from a links file, and the ones that could not be used."""

    added: int
    skipped: int
    problems: list[str]


# A claim counts as backed when a citation supports it or, for a caption, illustrates it.
BACKING = (Relation.SUPPORTS.value, Relation.ILLUSTRATES.value)


def _article(row: ArticleRow) -> Article:
    return Article.model_validate(
        {
            "id": row.id,
            "title": row.title,
            "author": row.author,
            "text": row.text,
            "version": row.version,
            "created": row.created,
            "modified": row.modified,
        }
    )


def _claim(row: Any) -> Claim:
    return Claim.model_validate(_claim_values(row))


def _claim_values(row: Any) -> dict[str, Any]:
    """A claim row's fields, in the model's order and JSON shape."""
    return {
        "id": row.id,
        "article_id": row.article_id,
        "section": row.section,
        "kind": row.kind,
        "text": row.text,
        "anchor": {
            "exact": row.exact,
            "prefix": row.prefix,
            "suffix": row.suffix,
            "start": row.start,
            "end": row.end,
        },
        "orphan": bool(row.orphan),
        "version": row.version,
        "created": repo.utc(row.created),
        "modified": repo.utc(row.modified),
    }


def _citation(row: Any) -> Citation:
    return Citation.model_validate(_citation_values(row))


def _citation_values(row: Any) -> dict[str, Any]:
    """A citation row's fields, in the model's order and JSON shape."""
    locator = (
        {"label": row.locator_label, "value": row.locator_value} if row.locator_value else None
    )
    return {
        "id": row.id,
        "claim_id": row.claim_id,
        "source_id": row.source_id,
        "locator": locator,
        "relation": row.relation,
        "quotation": row.quotation,
        "note": row.note,
        "rank": row.rank,
        "provenance": row.provenance,
        "version": row.version,
        "created": repo.utc(row.created),
        "modified": repo.utc(row.modified),
    }


def _claim_row_values(claim: Claim, position: int) -> dict[str, Any]:
    return {
        "article_id": claim.article_id,
        "position": position,
        "section": claim.section,
        "kind": claim.kind.value,
        "text": claim.text,
        "exact": claim.anchor.exact,
        "prefix": claim.anchor.prefix,
        "suffix": claim.anchor.suffix,
        "start": claim.anchor.start,
        "end": claim.anchor.end,
        "orphan": claim.orphan,
    }


def _article_row(session: Session, ref: str | None) -> ArticleRow:
    """By id; without one, the article most recently changed."""
    if ref:
        row = session.get(ArticleRow, ref)
        if row is None:
            raise NotFound(f"no article with id {ref!r}")
        return row
    row = session.exec(
        select(ArticleRow).order_by(col(ArticleRow.modified).desc(), col(ArticleRow.id))
    ).first()
    if row is None:
        raise NotFound("no article yet: import one first (citekit article import FILE)")
    return row


def _claim_rows(session: Session, article_id: str) -> list[ClaimRow]:
    statement = (
        select(ClaimRow)
        .where(ClaimRow.article_id == article_id)
        .order_by(col(ClaimRow.position), col(ClaimRow.id))
    )
    return list(session.exec(statement))


def _claim_row(session: Session, ref: str, *, article: str | None = None) -> ClaimRow:
    """A claim by id, or by a quote that only one claim contains."""
    row = session.get(ClaimRow, ref)
    if row is not None:
        return row
    found = find_claims(session, quote=ref, article=article)
    if not found:
        raise NotFound(f"no claim with id {ref!r} or containing {ref!r}")
    if len(found) > 1:
        ids = ", ".join(c.id or "" for c in found[:5])
        raise InvalidRecord(
            [FieldError(("claim",), f"{len(found)} claims contain {ref!r} ({ids}): quote more")],
            what="claim reference",
        )
    row = session.get(ClaimRow, found[0].id)
    assert row is not None
    return row


def import_article(
    session: Session, *, text: str, title: str | None = None, import_bibliography: bool = False
) -> ArticleImport:
    """Store an article (plain text or Markdown) and its claims; the bibliography is split off
    and, with ``import_bibliography``, its entries imported as sources (duplicates skipped)."""
    parsed = parse_article(text)
    if not (title or parsed.title):
        raise InvalidRecord(
            [FieldError(("title",), "the article has no title line")], what="article"
        )
    spans = claim_spans(parsed)
    if not spans:
        raise InvalidRecord(
            [FieldError(("text",), "no sentence or caption found in the article")], what="article"
        )
    row = ArticleRow.model_validate(
        {
            "id": repo.new_id(),
            "title": title or parsed.title,
            "author": parsed.author,
            "text": parsed.text,
            "text_hash": text_hash(parsed.text),
            "bibliography": parsed.bibliography,
        }
    )
    session.add(row)
    claims = claims_from_spans(row.id, parsed.text, spans)
    for position, claim in enumerate(claims):
        values = _claim_row_values(claim, position)
        session.add(ClaimRow.model_validate({"id": repo.new_id(), **values}))
    _flush(session, f"article {row.title!r}")
    sources = None
    if import_bibliography and parsed.bibliography:
        sources = import_records(
            session, data=parsed.bibliography.encode("utf-8"), format="plaintext"
        )
    return ArticleImport(
        article=_article(row),
        claims=len(claims),
        captions=sum(c.kind is ClaimKind.CAPTION for c in claims),
        sections=parsed.sections(),
        bibliography=parsed.bibliography,
        sources=sources,
    )


def get_article(session: Session, *, ref: str | None = None) -> Article:
    """An article by id (default: the one most recently changed)."""
    return _article(_article_row(session, ref))


def list_articles(session: Session) -> list[Article]:
    """Every article, most recently changed first."""
    statement = select(ArticleRow).order_by(col(ArticleRow.modified).desc(), col(ArticleRow.id))
    return [_article(r) for r in session.exec(statement)]


def replace_article_text(
    session: Session,
    *,
    ref: str | None = None,
    text: str,
    expected_version: int | None = None,
) -> Reanchored:
    """Replace an article's text and find every claim again; links stay with their claims.

    Claims not found become orphans (kept with their links, reported); sentences that match no
    old claim become new, unlinked claims.
    """
    row = _article_row(session, ref)
    _check_version(row, expected_version, f"article {row.id}")
    parsed = parse_article(text)
    spans = claim_spans(parsed)
    rows = [r for r in _claim_rows(session, row.id) if not r.orphan]
    old_claims = [_claim(r) for r in rows]
    result = reanchor([c.anchor for c in old_claims], parsed.text, spans)
    now = repo.utcnow()
    placed: list[tuple[int, ClaimRow]] = []
    orphans: list[Claim] = []
    fuzzy: list[Claim] = []
    for claim_row, match in zip(rows, result.matches, strict=True):
        if match.anchor is None:
            claim_row.orphan = True
            repo.touch(claim_row, now)
            orphans.append(_claim(claim_row))
            continue
        anchor = match.anchor
        home = next((s for s in spans if s.start <= anchor.start < s.end), None)
        changed = (claim_row.start, claim_row.end, claim_row.exact) != (
            anchor.start,
            anchor.end,
            anchor.exact,
        )
        claim_row.exact, claim_row.prefix, claim_row.suffix = (
            anchor.exact,
            anchor.prefix,
            anchor.suffix,
        )
        claim_row.start, claim_row.end, claim_row.text = anchor.start, anchor.end, anchor.exact
        if home is not None:
            claim_row.section = home.section
        if changed:
            repo.touch(claim_row, now)
        placed.append((anchor.start, claim_row))
        if match.method is Method.FUZZY:
            fuzzy.append(_claim(claim_row))
    new_rows = [
        ClaimRow.model_validate({"id": repo.new_id(), **_claim_row_values(claim, 0)})
        for claim in claims_from_spans(row.id, parsed.text, result.new_spans)
    ]
    placed += [(new_row.start, new_row) for new_row in new_rows]
    placed.sort(key=lambda item: item[0])
    for position, (_, claim_row) in enumerate(placed):
        claim_row.position = position
        session.add(claim_row)
    for position, orphan_row in enumerate(
        (r for r in _claim_rows(session, row.id) if r.orphan), start=len(placed)
    ):
        orphan_row.position = position
        session.add(orphan_row)
    row.text, row.text_hash = parsed.text, text_hash(parsed.text)
    row.bibliography = parsed.bibliography
    row.title = parsed.title or row.title
    row.author = parsed.author or row.author
    repo.touch(row, now)
    session.add(row)
    _flush(session, f"article {row.id}")
    return Reanchored(
        article=_article(row),
        counts=result.counts(),
        found_share=result.found_share,
        orphans=orphans,
        new_claims=[_claim(r) for r in new_rows],
        fuzzy=fuzzy,
    )


def list_claims(
    session: Session,
    *,
    article: str | None = None,
    unsupported: bool = False,
    orphans: bool | None = None,
    section: str | None = None,
) -> list[Claim]:
    """An article's claims in text order; ``unsupported`` keeps those no citation backs."""
    article_row = _article_row(session, article)
    rows = _claim_rows(session, article_row.id)
    if orphans is not None:
        rows = [r for r in rows if r.orphan == orphans]
    if section is not None:
        rows = [r for r in rows if r.section == section]
    if unsupported:
        backed = _backed_claim_ids(session, article_row.id)
        rows = [r for r in rows if r.id not in backed and not r.orphan]
    return [_claim(r) for r in rows]


def citation_counts(session: Session, *, article: str | None = None) -> dict[str, int]:
    """How many citations each claim of an article has (claims without any are left out)."""
    article_id = _article_row(session, article).id
    statement = (
        select(CitationRow.claim_id, func.count())
        .join(ClaimRow, col(ClaimRow.id) == col(CitationRow.claim_id))
        .where(ClaimRow.article_id == article_id)
        .group_by(col(CitationRow.claim_id))
    )
    return {claim_id: int(n) for claim_id, n in session.exec(statement)}


def _backed_claim_ids(session: Session, article_id: str) -> set[str]:
    statement = (
        select(CitationRow.claim_id)
        .join(ClaimRow, col(ClaimRow.id) == col(CitationRow.claim_id))
        .where(ClaimRow.article_id == article_id, col(CitationRow.relation).in_(BACKING))
    )
    return set(session.exec(statement))


def get_claim(session: Session, *, ref: str) -> Claim:
    """A claim by id, or by a quote only one claim contains."""
    return _claim(_claim_row(session, ref))


def find_claims(session: Session, *, quote: str, article: str | None = None) -> list[Claim]:
    """Claims containing ``quote``, tolerant of whitespace and of curly or straight quotes."""
    if not quote.strip():
        raise InvalidRecord([FieldError(("quote",), "give some text to look for")], what="query")
    statement = select(ClaimRow)
    if article:
        statement = statement.where(ClaimRow.article_id == _article_row(session, article).id)
    statement = statement.order_by(col(ClaimRow.article_id), col(ClaimRow.position))
    words = plain_words(quote)
    if words:
        # Claims that contain the quote hold each of its plain words: let the database find
        # those few first, rather than reading every claim of the library.
        likely = statement.where(
            *(col(ClaimRow.text).ilike(repo.like_pattern(w), escape="\\") for w in words)
        )
        hits = claims_quoted(quote, [_claim(r) for r in session.exec(likely)])
        if hits:
            return hits
    return claims_containing(quote, [_claim(r) for r in session.exec(statement)])


def _locator_columns(locator: Locator | str | None) -> tuple[str, str]:
    if locator is None or locator == "":
        return "", ""
    parsed = Locator.parse(locator) if isinstance(locator, str) else locator
    return parsed.label.value, parsed.value


def add_citation(
    session: Session,
    *,
    claim: str,
    source: str,
    locator: Locator | str | None = None,
    relation: Relation | str = Relation.SUPPORTS,
    quotation: str | None = None,
    note: str | None = None,
    rank: Rank | str = Rank.NORMAL,
    provenance: Provenance | str = Provenance.MANUAL,
) -> Citation:
    """Link a claim (id or quote) to a source (id or key); the same link twice is a Conflict."""
    claim_row = _claim_row(session, claim)
    source_row = _source_row(session, source)
    try:
        citation = Citation(
            claim_id=claim_row.id,
            source_id=source_row.id,
            locator=locator or None,
            relation=Relation(relation),
            quotation=quotation,
            note=note,
            rank=Rank(rank),
            provenance=Provenance(provenance),
        )
    except ValueError as exc:
        raise InvalidRecord([FieldError(("citation",), str(exc))], what="citation") from None
    label, value = _locator_columns(citation.locator)
    duplicate = session.exec(
        select(CitationRow).where(
            CitationRow.claim_id == claim_row.id,
            CitationRow.source_id == source_row.id,
            CitationRow.locator_label == label,
            CitationRow.locator_value == value,
        )
    ).first()
    if duplicate is not None:
        where = f" at {value}" if value else ""
        raise Conflict(
            f"claim {claim_row.id} already cites {source_row.key}{where} (citation {duplicate.id})"
        )
    row = CitationRow.model_validate(
        {
            "id": repo.new_id(),
            "claim_id": claim_row.id,
            "source_id": source_row.id,
            "locator_label": label,
            "locator_value": value,
            "relation": citation.relation.value,
            "quotation": quotation,
            "note": note,
            "rank": citation.rank.value,
            "provenance": citation.provenance.value,
        }
    )
    session.add(row)
    _flush(session, f"citation of {source_row.key} by claim {claim_row.id}")
    return _citation(row)


def _citation_row(session: Session, ref: str) -> CitationRow:
    row = session.get(CitationRow, ref)
    if row is None:
        raise NotFound(f"no citation with id {ref!r}")
    return row


def get_citation(session: Session, *, ref: str) -> Citation:
    """A citation by id."""
    return _citation(_citation_row(session, ref))


CITATION_FIELDS = frozenset({"locator", "relation", "quotation", "note", "rank", "provenance"})


def update_citation(
    session: Session,
    *,
    ref: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Citation:
    """Change a citation's locator, relation, quotation, note, rank or provenance."""
    row = _citation_row(session, ref)
    _check_version(row, expected_version, f"citation {row.id}")
    unknown = sorted(set(changes) - CITATION_FIELDS)
    if unknown:
        raise InvalidRecord(
            [FieldError((name,), "not a field a citation can change") for name in unknown],
            what="citation",
        )
    current = _citation(row).model_dump()
    current.update(changes)
    try:
        updated = Citation.model_validate(current)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc), what="citation") from None
    row.locator_label, row.locator_value = _locator_columns(updated.locator)
    row.relation, row.rank = updated.relation.value, updated.rank.value
    row.provenance = updated.provenance.value
    row.quotation, row.note = updated.quotation, updated.note
    repo.touch(row)
    session.add(row)
    _flush(session, f"citation {row.id}")
    return _citation(row)


def delete_citation(session: Session, *, ref: str, expected_version: int | None = None) -> None:
    """Remove one citation by id."""
    row = _citation_row(session, ref)
    _check_version(row, expected_version, f"citation {row.id}")
    session.delete(row)
    session.flush()


def unlink(session: Session, *, claim: str, source: str) -> int:
    """Remove every citation of ``source`` by ``claim``; returns how many; none is NotFound."""
    claim_row = _claim_row(session, claim)
    source_row = _source_row(session, source)
    rows = list(
        session.exec(
            select(CitationRow).where(
                CitationRow.claim_id == claim_row.id, CitationRow.source_id == source_row.id
            )
        )
    )
    if not rows:
        raise NotFound(f"claim {claim_row.id} does not cite {source_row.key}")
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def sources_for_claim(session: Session, *, claim: str) -> list[ClaimSupport]:
    """The citations of a claim (id or quote) with their sources, preferred first."""
    claim_row = _claim_row(session, claim)
    statement = (
        select(CitationRow, SourceRow)
        .join(SourceRow, col(SourceRow.id) == col(CitationRow.source_id))
        .where(CitationRow.claim_id == claim_row.id)
    )
    out = [
        ClaimSupport(citation=_citation(c), source=repo.row_to_source(s))
        for c, s in session.exec(statement)
    ]
    return sorted(out, key=lambda x: (_RANK_ORDER[x.citation.rank], x.source.key or ""))


_RANK_ORDER = {Rank.PREFERRED: 0, Rank.NORMAL: 1, Rank.DEPRECATED: 2}


def claims_for_source(session: Session, *, source: str) -> list[SourceUse]:
    """The claims a source (id or key) is cited for, in article and text order."""
    source_row = _source_row(session, source)
    statement = (
        select(CitationRow, ClaimRow)
        .join(ClaimRow, col(ClaimRow.id) == col(CitationRow.claim_id))
        .where(CitationRow.source_id == source_row.id)
        .order_by(col(ClaimRow.article_id), col(ClaimRow.position))
    )
    return [SourceUse(citation=_citation(c), claim=_claim(r)) for c, r in session.exec(statement)]


def coverage(session: Session, *, article: str | None = None) -> Coverage:
    """Share of claims backed by a citation, per section (in text order) and in total."""
    article_row = _article_row(session, article)
    backed = _backed_claim_ids(session, article_row.id)
    counts: dict[str | None, list[int]] = {}
    for row in _claim_rows(session, article_row.id):
        if row.orphan:
            continue
        entry = counts.setdefault(row.section, [0, 0])
        entry[0] += 1
        entry[1] += row.id in backed
    sections = [SectionCoverage(section=s, claims=n, supported=k) for s, (n, k) in counts.items()]
    total = SectionCoverage(
        section=None,
        claims=sum(s.claims for s in sections),
        supported=sum(s.supported for s in sections),
    )
    return Coverage(article_id=article_row.id, sections=sections, total=total)


def uncited_sources(session: Session, *, article: str | None = None) -> list[Source]:
    """Sources no claim cites (no claim of ``article``, when given), by key."""
    cited = select(CitationRow.source_id)
    if article:
        article_id = _article_row(session, article).id
        cited = cited.join(ClaimRow, col(ClaimRow.id) == col(CitationRow.claim_id)).where(
            ClaimRow.article_id == article_id
        )
    statement = (
        select(SourceRow).where(col(SourceRow.id).not_in(cited)).order_by(col(SourceRow.key))
    )
    return [repo.row_to_source(r) for r in session.exec(statement)]


# One Suggester per database, rebuilt when the library changes (its index takes seconds to
# build for 50,000 sources; a suggestion from it takes milliseconds).
_SUGGESTERS: dict[tuple[int, str], tuple[tuple[Any, ...], Suggester]] = {}
_SUGGESTERS_KEPT = 4


def _suggester(session: Session) -> Suggester:
    engine = session.get_bind()
    place = (id(engine), str(getattr(engine, "url", "")))
    signature = tuple(
        session.exec(
            select(func.count(), func.max(SourceRow.modified), func.sum(SourceRow.version))
        ).one()
    )
    cached = _SUGGESTERS.get(place)
    if cached is not None and cached[0] == signature:
        return cached[1]
    rows = session.exec(select(SourceRow).order_by(col(SourceRow.key)))
    suggester = Suggester([repo.row_to_source(r) for r in rows])
    while len(_SUGGESTERS) >= _SUGGESTERS_KEPT:
        _SUGGESTERS.pop(next(iter(_SUGGESTERS)))
    _SUGGESTERS[place] = (signature, suggester)
    return suggester


def suggest_sources(session: Session, *, claim: str, limit: int = 5) -> list[Suggestion]:
    """Ranked candidate sources for a claim (id or quote), leaving out those it cites already."""
    claim_row = _claim_row(session, claim)
    cited = set(
        session.exec(select(CitationRow.source_id).where(CitationRow.claim_id == claim_row.id))
    )
    ranked = _suggester(session).suggest(
        claim_row.text,
        kind=ClaimKind(claim_row.kind),
        section=claim_row.section,
        previous=_sentence_before(session, claim_row),
        limit=None,
    )
    return [s for s in ranked if s.source.id not in cited][:limit]


def _sentence_before(session: Session, claim_row: ClaimRow) -> str | None:
    """The claim just before this one in the same paragraph, if any."""
    if claim_row.orphan or claim_row.position == 0:
        return None
    before = session.exec(
        select(ClaimRow).where(
            ClaimRow.article_id == claim_row.article_id,
            ClaimRow.position == claim_row.position - 1,
            col(ClaimRow.orphan).is_(False),
        )
    ).first()
    article = session.get(ArticleRow, claim_row.article_id)
    if before is None or article is None or before.end > claim_row.start:
        return None
    return None if "\n\n" in article.text[before.end : claim_row.start] else before.text


def load_links(session: Session, *, text: str, article: str | None = None) -> LinksLoad:
    """Add the curated links of a links file (quote → source key) to an article's claims.

    Links already present are skipped; a link whose quote or key finds nothing is reported.
    """
    article_row = _article_row(session, article)
    specs, problems = parse_links(text)
    claims = [_claim(r) for r in _claim_rows(session, article_row.id)]
    keys = {key: id_ for id_, key in session.exec(select(SourceRow.id, SourceRow.key))}
    resolved, unresolved = resolve_links(specs, claims, keys)
    messages = [f"link {p.index}: {p.reason}: {p.quote[:60]!r}" for p in problems + unresolved]
    added = skipped = 0
    for link in resolved:
        try:  # the duplicate check runs before anything is written, so nothing to undo
            add_citation(
                session,
                claim=link.claim.id or "",
                source=link.source_id,
                locator=link.spec.locator,
                relation=link.spec.relation,
                quotation=link.spec.quotation,
                note=link.spec.note,
                rank=link.spec.rank,
            )
            added += 1
        except Conflict:
            skipped += 1
    return LinksLoad(added=added, skipped=skipped, problems=messages)


def load_demo_article(session: Session, *, directory: Path = DEMO_DIR) -> LinksLoad | None:
    """Import the demo article and its curated links (once; None when already there)."""
    article_file = directory / "article.txt"
    if not article_file.exists():
        return None
    text = article_file.read_text(encoding="utf-8")
    if session.exec(
        select(ArticleRow).where(ArticleRow.text_hash == text_hash(parse_article(text).text))
    ).first():
        return None
    imported = import_article(session, text=text)
    links_file = directory / "links.json"
    if not links_file.exists():
        return LinksLoad(added=0, skipped=0, problems=[])
    return load_links(
        session, text=links_file.read_text(encoding="utf-8"), article=imported.article.id
    )


def annotate_article(
    session: Session,
    *,
    article: str | None = None,
    style: str = "chicago-notes-bibliography",
    format: str = "markdown",
) -> str:
    """The article with its citations as notes or in-text citations, and its bibliography."""
    article_row = _article_row(session, article)
    claims = [_claim(r) for r in _claim_rows(session, article_row.id)]
    statement = (
        select(CitationRow, SourceRow)
        .join(SourceRow, col(SourceRow.id) == col(CitationRow.source_id))
        .join(ClaimRow, col(ClaimRow.id) == col(CitationRow.claim_id))
        .where(ClaimRow.article_id == article_row.id)
        .order_by(col(CitationRow.created), col(CitationRow.id))
    )
    cited: dict[str, list[Cited]] = {}
    for citation_row, source_row in session.exec(statement):
        cited.setdefault(citation_row.claim_id, []).append(
            Cited(_citation(citation_row), repo.row_to_source(source_row))
        )
    return annotate(article_row.text, claims, cited, style=style, format=format)


def render_manuscript(
    session: Session,
    *,
    text: str,
    style: str = "chicago-notes-bibliography",
    format: str = "markdown",
    bibliography: bool = True,
) -> RenderedManuscript:
    """A Markdown manuscript's pandoc citations (``[@key, p. 45]``) rendered from the library.

    Unknown keys are left in the text and listed in the result with their line and column.
    """
    sources: dict[str, Source] = {}
    for key in manuscript.cited_keys(text):
        row = session.exec(select(SourceRow).where(SourceRow.key == key)).first()
        if row is not None:
            sources[key] = repo.row_to_source(row)
    return manuscript.render_manuscript(
        text, sources, style=style, format=format, bibliography=bibliography
    )


# ---------------------------------------------------------------------------------------------
# Bibliographies and citations in a style (issue 4)
# ---------------------------------------------------------------------------------------------


def _style_for(name: str, library: Sequence[Source]) -> Style:
    """The style, told the whole library where it uses one (year suffixes, numbering)."""
    style = get_style(name)
    with_library = getattr(style, "with_library", None)  # author-date and CSL styles have it
    return with_library(library) if with_library is not None else style


def bibliography(
    session: Session,
    *,
    style: str = "chicago-notes-bibliography",
    format: str = "text",
    group: str | None = None,
    grouped: bool = False,
) -> str:
    """The library's bibliography in a style, flat or under group headings (Images, Primary …)."""
    library, _ = list_sources(session)
    chosen = _style_for(style, library)
    return render_bibliography(library, style=chosen, format=format, group=group, grouped=grouped)


def cite_source(
    session: Session,
    *,
    ref: str,
    style: str = "chicago-notes-bibliography",
    locator: str | None = None,
    short: bool = False,
    format: str = "text",
) -> str:
    """A note or in-text citation of one source: ``(Deutscher 1963, 45)``; ``short`` for a
    subsequent (short) note in a notes style."""
    source = get_source(session, ref=ref)
    try:
        place = Locator.parse(locator) if locator else None
    except (ValueError, ValidationError) as exc:
        raise InvalidRecord([FieldError(("locator",), str(exc))], what="locator") from None
    library, _ = list_sources(session)
    chosen = _style_for(style, library)
    position = Position.SUBSEQUENT if short else Position.FIRST
    item = CitationItem(source=source, locator=place)
    return render_citation([item], style=chosen, format=format, position=position)


# ---------------------------------------------------------------------------------------------
# Imports and exports (issue 3)
# ---------------------------------------------------------------------------------------------


class ImportFailure(BaseModel):
    """An entry of the file that was not imported: where it is, why, and what it said."""

    line: int | None = None
    reason: str
    key: str | None = None
    raw: str = ""


class ImportMatch(BaseModel):
    """An entry that is a source the library holds already (or an earlier entry of the file)."""

    index: int = Field(description="the entry's position among the file's readable records")
    key: str | None = Field(default=None, description="the entry's own citation key")
    title: str | None = None
    matched: str = Field(description="citation key of the stored source it matched")
    reason: str


class ImportReport(BaseModel):
    """What an import did: keys added and updated, duplicates left alone, entries that failed."""

    format: str | None
    stored: bool = Field(description="false for a dry run, or a strict import that had failures")
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    duplicates: list[ImportMatch] = Field(default_factory=list)
    failures: list[ImportFailure] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    uncertain: dict[str, list[str]] = Field(
        default_factory=dict, description="key → fields the reader had to guess"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.failures


def _first_creator(source: Source) -> str | None:
    """The stored ``first_creator`` column's value for a record not stored yet."""
    creators = source.authors or source.creators
    return creators[0].sort_key()[0] if creators else None


def _isbn13s(isbn: str | None) -> set[str]:
    if not isbn:
        return set()
    # duplicates.isbn13s reads only .isbn; building a Source per stored row would cost more
    # than the whole rest of the import.
    return duplicates.isbn13s(cast(Source, SimpleNamespace(isbn=isbn)))


class _LibraryIndex:
    """What an import matches entries against: keys, DOIs, ISBNs, title + year + first creator."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.dois: dict[str, str] = {}
        self.isbns: dict[str, str] = {}
        self.works: dict[tuple[str, int | None, str], str] = {}

    @classmethod
    def load(cls, session: Session) -> _LibraryIndex:
        index = cls()
        columns = select(  # type: ignore[call-overload, misc]
            SourceRow.key,
            SourceRow.doi,
            SourceRow.isbn,
            SourceRow.title,
            SourceRow.year,
            SourceRow.first_creator,
        )
        for key, doi, isbn, title, year, first in session.exec(columns):
            index.add(key, doi=doi, isbn=isbn, title=title, year=year, first=first)
        return index

    def add(
        self,
        key: str,
        *,
        doi: str | None,
        isbn: str | None,
        title: str | None,
        year: int | None,
        first: str | None,
    ) -> None:
        self.keys.add(key)
        if doi:
            self.dois.setdefault(doi.lower(), key)
        for number in _isbn13s(isbn):
            self.isbns.setdefault(number, key)
        work = self._work(title, year, first)
        if work is not None:
            self.works.setdefault(work, key)

    def add_source(self, source: Source) -> None:
        assert source.key is not None
        self.add(
            source.key,
            doi=source.doi,
            isbn=source.isbn,
            title=source.title,
            year=source.year,
            first=_first_creator(source),
        )

    @staticmethod
    def _work(title: str | None, year: int | None, first: str | None) -> tuple | None:
        normal = duplicates.normalise_title(title)
        return (normal, year, first or "") if normal else None

    def match(self, source: Source) -> tuple[str, str] | None:
        """(stored key, reason) of the source this record is, if the library has it."""
        if source.key and source.key in self.keys:
            return source.key, "same citation key"
        if source.doi and source.doi.lower() in self.dois:
            return self.dois[source.doi.lower()], f"same DOI {source.doi}"
        for number in _isbn13s(source.isbn):
            if number in self.isbns:
                return self.isbns[number], f"same ISBN {number}"
        work = self._work(source.title, source.year, _first_creator(source))
        if work is not None and work in self.works:
            return self.works[work], "same title, year and first creator"
        return None


def _content(source: Source) -> dict[str, Any]:
    return source.model_dump(mode="json", exclude={"id", "key", "version", "created", "modified"})


def _overlay(stored: Source, incoming: Source) -> Source:
    """``stored`` updated from ``incoming``: what the file gives wins, what it lacks is kept."""
    data = stored.model_dump(exclude={"version", "created", "modified"})
    for name, value in incoming.model_dump(
        exclude={"id", "key", "version", "created", "modified"}
    ).items():
        if name == "extra":
            data["extra"] = {**stored.extra, **value}
        elif value not in (None, [], {}):
            data[name] = value
    return validate_source(data)


def _same_work(stored: Source, incoming: Source) -> bool:
    """Whether a record that reuses a stored key is that source (edited), not another one:
    a duplicate by the usual rules, the same title, or a shared creator and the same year."""
    if duplicates.find_duplicates([stored, incoming]):
        return True
    if duplicates.normalise_title(stored.title) == duplicates.normalise_title(incoming.title):
        return True
    shared = duplicates.family_names(stored) & duplicates.family_names(incoming)
    return bool(shared) and stored.year == incoming.year


def _rows_by_key(session: Session, keys: list[str], chunk: int = 500) -> dict[str, SourceRow]:
    """Stored rows for these keys, fetched a few hundred at a time rather than one by one."""
    rows: dict[str, SourceRow] = {}
    for start in range(0, len(keys), chunk):
        statement = select(SourceRow).where(col(SourceRow.key).in_(keys[start : start + chunk]))
        rows.update((row.key, row) for row in session.exec(statement))
    return rows


def _import_one(
    session: Session,
    source: Source,
    index: _LibraryIndex,
    rows: dict[str, SourceRow],
    report: ImportReport,
    position: int,
    *,
    store: bool,
) -> str | None:
    """Add, update or skip one record; returns the key it is stored under (None if skipped).

    Without ``store`` nothing is written: the report says what an import would do.
    """
    found = index.match(source)
    if found is not None:
        key, reason = found
        duplicate = ImportMatch(
            index=position, key=source.key, title=source.title, matched=key, reason=reason
        )
        if reason != "same citation key":
            report.duplicates.append(duplicate)
            return None
        row = rows.get(key) or repo.get_source_row(session, key)
        assert row is not None
        stored = repo.row_to_source(row)
        if _content(source) == _content(stored):
            report.duplicates.append(duplicate)
            return None
        if _same_work(stored, source):
            updated = _overlay(stored, source)
            if _content(updated) == _content(stored):
                report.duplicates.append(duplicate)
                return None
            if store:
                repo.source_to_row(updated, row)
                repo.touch(row)
                session.add(row)
            else:
                row = repo.source_to_row(updated)
            rows[key] = row
            index.add_source(updated)
            if key not in report.added and key not in report.updated:
                report.updated.append(key)
            return key
        report.warnings.append(
            f"record {position + 1}: citation key {source.key!r} belongs to a different source "
            f"({stored.title!r}); imported under a new key"
        )
        source = source.model_copy(update={"key": None})
    source.key = make_key(source, index.keys)
    row = repo.source_to_row(source.model_copy(update={"id": None}))
    if store:
        session.add(row)
    rows[source.key] = row
    index.add_source(source)
    report.added.append(source.key)
    return source.key


def import_records(
    session: Session,
    *,
    data: bytes,
    format: str | None = None,
    filename: str | None = None,
    group: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file's records in the caller's transaction: everything the report says was added
    or updated, or nothing (on an error, which rolls the transaction back, on a dry run, or when
    ``strict`` and an entry failed).

    An entry that is a stored source (same key and work, DOI, ISBN, or normalised title + year +
    first creator) is a duplicate and adds nothing, so importing a file twice changes nothing;
    with the same key it updates the stored source from the file. ``group`` puts every record in
    that group. ``progress(done, total)`` is called as records are stored.
    """
    from citekit.formats import choose_format, decode

    text, notices = decode(data)
    chosen = choose_format(text, format=format, filename=filename)
    report = ImportReport(format=chosen.name if chosen else None, stored=False)
    report.warnings += [str(n) for n in notices]
    if chosen is None:
        report.warnings.append("empty input: no records")
        return report
    try:
        result = chosen.parse(text)
    except Exception as exc:  # a reader bug must still reach the user as a message
        raise CitekitError(
            f"the {chosen.name} reader could not read this file ({type(exc).__name__}: {exc}); "
            "please report it with the file"
        ) from exc
    report.warnings += [str(n) for n in result.warnings]
    report.failures = [
        ImportFailure(line=f.line, reason=f.reason, key=f.key, raw=f.raw) for f in result.failures
    ]
    records = result.records
    if group is not None:
        try:
            records = [validate_source({**r.model_dump(), "group": group}) for r in records]
        except InvalidRecord as exc:
            raise InvalidRecord(exc.errors, what="group") from None
    store = not dry_run and not (strict and report.failures)
    total = len(records)
    if progress is not None:
        progress(0, total)
    try:
        index = _LibraryIndex.load(session)
        rows = _rows_by_key(session, [r.key for r in records if r.key and r.key in index.keys])
        for position, source in enumerate(records):
            key = _import_one(session, source, index, rows, report, position, store=store)
            if key is not None and position in result.uncertain:
                report.uncertain[key] = result.uncertain[position]
            if progress is not None:
                progress(position + 1, total)
        session.flush()
    except IntegrityError as exc:
        # No rollback here: the caller's savepoint or session_scope undoes exactly its own work.
        raise Conflict(f"the import conflicts with a stored record: {exc.orig}") from None
    except BaseException:
        # Interrupted or failed: nothing of this import may reach the database.
        session.rollback()
        raise
    report.stored = store
    return report


def export_records(
    session: Session, *, format: str, group: str | None = None, **options: Any
) -> str:
    """The library (or one group of it) in a format, in the order the sources were added."""
    from citekit.formats import get_format

    chosen = get_format(format)
    rows, _ = repo.query_sources(session, repo.source_filters(group=group), sort="created")
    return chosen.write([repo.row_to_source(r) for r in rows], **options)

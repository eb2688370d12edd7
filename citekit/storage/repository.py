"""Repository functions: rows in, model objects out. Callers own the transaction."""

from __future__ import annotations

import functools
import secrets
from collections import namedtuple
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, NamedTuple

from anyascii import anyascii
from sqlalchemy import ColumnElement, and_, bindparam, column, func, literal_column, or_, table
from sqlalchemy.sql.expression import ColumnClause
from sqlmodel import Session, col, select

from citekit.config import get_settings
from citekit.model import Source
from citekit.model.names import Creator
from citekit.storage import library
from citekit.storage.prepared import Prepared, read
from citekit.storage.tables import CitationRow, ClaimRow, SourceRow, utcnow

# Like Zotero's object keys, minus 0/1/I/O: ids are easy to read aloud and to tell apart
# from lower-case citation keys.
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_ROW_FIELDS = {"id", "key", "version", "created", "modified"}

SORT_COLUMNS: dict[str, Any] = {
    "key": SourceRow.key,
    "title": SourceRow.title,
    "year": SourceRow.year,
    "creator": SourceRow.first_creator,
    "type": SourceRow.type,
    "group": SourceRow.group_name,
    "created": SourceRow.created,
    "modified": SourceRow.modified,
}


def new_id() -> str:
    """A random 10-character object id such as ``7QX2KM9BWT`` (50 bits: no collisions in practice
    even with millions of claims and links)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def fold(text: str) -> str:
    """Lower-case ASCII for searching: ``Trotsky’s Diary`` → ``trotsky's diary``."""
    return anyascii(text).casefold()


def _search_text(source: Source) -> str:
    parts: list[str | None] = [
        source.key,
        source.title,
        source.title_short,
        source.container_title,
        source.collection_title,
        source.publisher,
        source.doi,
        source.isbn,
        source.issn,
        str(source.year) if source.year is not None else None,
        *(c.display() for c in source.creators),
    ]
    return fold(" | ".join(p for p in parts if p))


def source_to_row(source: Source, row: SourceRow | None = None) -> SourceRow:
    """Fill ``row`` (or a new row) from ``source``; the record itself goes to ``data``."""
    data = source.model_dump(mode="json", exclude=_ROW_FIELDS, exclude_none=True)
    if not data.get("extra"):
        data.pop("extra", None)
    first = (
        source.authors[0] if source.authors else (source.creators[0] if source.creators else None)
    )
    values: dict[str, Any] = {
        "key": source.key,
        "type": source.type.value,
        "group_name": source.group,
        "year": source.year,
        "doi": source.doi.lower() if source.doi else None,
        "isbn": source.isbn,
        "title": source.title,
        "first_creator": first.sort_key()[0][:300] if first else None,
        "creators_text": fold("; ".join(c.display() for c in source.creators)),
        "search_text": _search_text(source),
        "data": data,
    }
    if row is None:
        return SourceRow.model_validate({"id": source.id or new_id(), **values})
    for name, value in values.items():
        setattr(row, name, value)
    return row


def row_to_source(row: Any) -> Source:
    """The stored record (a ``SourceRow``, or a row of ``SOURCE_COLUMNS``) with its id, key,
    version and timestamps, validated again."""
    return Source.model_validate(
        {
            **row.data,
            "id": row.id,
            "key": row.key,
            "version": row.version,
            "created": row.created,
            "modified": row.modified,
        }
    )


# Field name → CSL spelling (``container_title`` → ``container-title``), for source_record.
_SOURCE_ALIASES = {name: field.alias or name for name, field in Source.model_fields.items()}
_CREATOR_ALIASES = {name: field.alias or name for name, field in Creator.model_fields.items()}
# The columns source_record and row_to_source read, for Core queries that skip the ORM, and a
# row of them by name.
_SOURCE_COLUMN_NAMES = ("id", "key", "data", "version", "created", "modified")
SOURCE_COLUMNS = tuple(
    SourceRow.__table__.c[name]  # type: ignore[attr-defined]
    for name in _SOURCE_COLUMN_NAMES
)


class SourceColumns(NamedTuple):
    """A row of ``SOURCE_COLUMNS``."""

    id: str
    key: str
    data: dict[str, Any]
    version: int
    created: datetime
    modified: datetime


def utc(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back naive datetimes)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def source_record(row: Any) -> dict[str, Any]:
    """The stored record as the API shows it (CSL spelling, empty fields left out), read
    without validating it again: it was validated when it was written, and ``data`` holds that
    validated dump (``source_to_row``: every field but the row's own, in the model's order,
    empty ones left out, ``extra`` only when it holds something). Equal to
    ``row_to_source(row).model_dump(mode="json", by_alias=True, exclude_none=True)`` with
    datetimes left as objects; the tests hold the two together."""
    record: dict[str, Any] = {"id": row.id, "key": row.key}
    data = row.data
    for name, value in data.items():
        if name == "creators":
            value = [{_CREATOR_ALIASES.get(k, k): v for k, v in c.items()} for c in value]
        elif name == "extra":
            continue
        record[_SOURCE_ALIASES.get(name, name)] = value
    record.setdefault("creators", [])
    record["extra"] = data.get("extra") or {}  # the last of the record's own fields
    record["version"] = row.version
    record["created"] = utc(row.created)
    record["modified"] = utc(row.modified)
    return record


_SOURCE_BY_REF = Prepared(
    select(*SOURCE_COLUMNS).where(
        or_(SOURCE_COLUMNS[0] == bindparam("ref"), SOURCE_COLUMNS[1] == bindparam("ref"))
    )
)


def source_columns(session: Session, ref: str) -> Any:
    """The ``SOURCE_COLUMNS`` of the source with id ``ref``, else of the one with that key (a
    prepared read); None if there is neither."""
    rows = [SourceColumns._make(row) for row in read(session, _SOURCE_BY_REF, {"ref": ref})]
    rows.sort(key=lambda row: row.id != ref)
    return rows[0] if rows else None


def get_source_row(session: Session, ref: str) -> SourceRow | None:
    """By id first, then by citation key."""
    row = session.get(SourceRow, ref)
    if row is None:
        row = session.exec(select(SourceRow).where(SourceRow.key == ref)).first()
    return row


def keys_like(session: Session, base: str) -> set[str]:
    """Keys that start with ``base`` (to pick a free suffix)."""
    pattern = _escape_like(base) + "%"
    rows = session.exec(select(SourceRow.key).where(col(SourceRow.key).like(pattern, escape="\\")))
    return set(rows)


def _escape_like(value: str) -> str:
    """``value`` for a LIKE pattern with ``escape="\\"``: its own ``%`` and ``_`` literal."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(value: str) -> str:
    """``%value%``: LIKE for ``value`` anywhere (with ``escape="\\"``)."""
    return f"%{_escape_like(value)}%"


# SQLite's FTS5 table over sources.search_text (migration 0002); trigrams need three characters.
_FTS = table("sources_fts", column("rowid"), column("search_text"))
_FTS_MIN = 3
_ROWID: ColumnClause[Any] = literal_column("sources.rowid")
# Above this share of the library a search walks the sort order instead of sorting its matches.
_DENSE = 0.02


def _word_matches(like: Any, word: Any, key: Any) -> ColumnElement[bool]:
    """One word: a substring of search_text (``like`` its LIKE pattern), or the DOI, or the whole
    query is the key. Values, or bound parameters for a statement built once."""
    return or_(
        col(SourceRow.search_text).like(like, escape="\\"),
        col(SourceRow.doi) == word,
        col(SourceRow.key) == key,
    )


def _word_condition(word: str, q: str) -> ColumnElement[bool]:
    """One word of ``q``: a substring of search_text, or the DOI, or ``q`` is the key."""
    return _word_matches(like_pattern(word), word, q.strip())


def _fts_expression(words: list[str]) -> str:
    """FTS5 MATCH text: every word, each quoted as a phrase."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _match_arms(fts: Any, key: Any, words: list[Any], likes: list[Any]) -> tuple[Any, Any, Any]:
    """SQLite, for words of three or more characters: the condition that every word matches,
    the select of the FTS5 trigram index's matches ("every word is a substring of
    search_text"), and the select of rows that match a word only as their DOI or key, which
    the index does not hold. The matches are the union of the two selects."""
    every_word = and_(
        *(_word_matches(like, word, key) for like, word in zip(likes, words, strict=True))
    )
    indexed = select(_FTS.c.rowid).where(_FTS.c.search_text.op("MATCH")(fts))
    by_identifier = (
        select(_ROWID)
        .select_from(SourceRow)
        .where(or_(col(SourceRow.doi).in_(words), col(SourceRow.key) == key))
        .where(every_word)
    )
    return every_word, indexed, by_identifier


def search_rowids(q: str) -> tuple[tuple[Any, Any] | None, list[str]]:
    """SQLite: the rowids of sources that match every word of ``q`` of three or more characters
    (two selects, whose union it is, or None if there is none), and the shorter words left for
    LIKE (see ``_match_arms``)."""
    words = fold(q).split()
    long_words = [w for w in words if len(w) >= _FTS_MIN]
    short = [w for w in words if len(w) < _FTS_MIN]
    if not long_words:
        return None, short
    likes = [like_pattern(w) for w in long_words]
    _, indexed, by_identifier = _match_arms(
        _fts_expression(long_words), q.strip(), long_words, likes
    )
    # Not a UNION: that sorts every match once more just to drop duplicates.
    return (indexed, by_identifier), short


def source_filters(
    *,
    q: str | None = None,
    group: str | None = None,
    type: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    creator: str | None = None,
    dialect: str | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions for the list filters; every word of ``q`` must occur somewhere.

    With ``dialect="sqlite"`` (``session.get_bind().dialect.name``) ``q`` uses the full-text
    index; elsewhere LIKE, which PostgreSQL answers from its trigram index.
    """
    conditions: list[ColumnElement[bool]] = []
    if q:
        words = fold(q).split()
        if dialect == "sqlite":
            rowids, words = search_rowids(q)
            if rowids is not None:
                conditions.append(or_(_ROWID.in_(rowids[0]), _ROWID.in_(rowids[1])))
        conditions += [_word_condition(word, q) for word in words]
    if group:
        conditions.append(col(SourceRow.group_name) == group)
    if type:
        conditions.append(col(SourceRow.type) == type)
    if year_from is not None:
        conditions.append(col(SourceRow.year) >= year_from)
    if year_to is not None:
        conditions.append(col(SourceRow.year) <= year_to)
    if creator:
        conditions.append(
            col(SourceRow.creators_text).like(like_pattern(fold(creator)), escape="\\")
        )
    return conditions


# Searches' match counts and pages, by library state (citekit.storage.library.Kept). Counting
# every match is most of a search's cost when a word is common.
KEPT_COUNTS: library.Kept[int] = library.Kept(lambda: get_settings().search_cache_size)
# Pages by their JSON's bytes: 16 KiB a search on average (a page of 25 sources is 10-25 KiB).
KEPT_PAGES: library.Kept[Any] = library.Kept(
    lambda: get_settings().search_cache_size * 16 * 1024, weigh=lambda page: len(page.json or b"")
)


def _count(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    statement = select(func.count()).select_from(SourceRow).where(and_(True, *conditions))
    return int(session.connection().execute(statement).scalar_one())


def count_sources(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    *,
    cache_key: Hashable | None = None,
    counter: Any = None,
) -> int:
    """How many sources match ``conditions``.

    With ``cache_key`` (the filters the conditions were made from) the count is kept until the
    library changes (``KEPT_COUNTS``). ``counter`` counts differently (the SQLite full-text
    path); it gets the session.
    """

    def compute() -> int:
        return int(counter(session)) if counter is not None else _count(session, conditions)

    if cache_key is None:
        return compute()
    return KEPT_COUNTS.get(session, cache_key, compute)


def _order(sort: str, direction: str) -> list[Any]:
    column = SORT_COLUMNS[sort]
    if sort == "key":  # unique and never NULL: the plain order lets SQLite walk its index
        return [column.desc() if direction == "desc" else column.asc()]
    order = (column.desc() if direction == "desc" else column.asc()).nulls_last()
    return [order, SourceRow.key]


def _page(
    session: Session,
    where: ColumnElement[bool],
    *,
    sort: str,
    direction: str,
    start: int,
    limit: int | None,
) -> list[Any]:
    statement = select(*SOURCE_COLUMNS).where(where).order_by(*_order(sort, direction))
    statement = statement.offset(start)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.connection().execute(statement))


def query_sources(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    *,
    sort: str = "key",
    direction: str = "asc",
    start: int = 0,
    limit: int | None = None,
    cache_key: Hashable | None = None,
) -> tuple[list[Any], int]:
    """Rows (of ``SOURCE_COLUMNS``) matching ``conditions`` in order, and the total count
    without paging (kept by library version under ``cache_key``, see ``count_sources``)."""
    if limit == 0:
        return [], count_sources(session, conditions, cache_key=cache_key)
    rows = _page(
        session, and_(True, *conditions), sort=sort, direction=direction, start=start, limit=limit
    )
    # A page that is not full, or no paging at all, tells the total without a second query.
    if (rows and (limit is None or len(rows) < limit)) or (start == 0 and not rows):
        return rows, start + len(rows)
    return rows, count_sources(session, conditions, cache_key=cache_key)


@functools.lru_cache(maxsize=128)
def _search_statements(words: int, sort: str, direction: str) -> SimpleNamespace:
    """SQLite statements for a search of ``words`` words of three or more characters, built
    once per shape (building and keying a statement costs more than running it). Bound:
    ``likeN`` (the word as a LIKE pattern), ``wordN``, ``key`` (the whole query, which may be a
    citation key), ``fts`` (the MATCH expression), ``start`` and ``limit`` (-1: no limit)."""
    every_word, indexed, by_identifier = _match_arms(
        bindparam("fts"),
        bindparam("key"),
        [bindparam(f"word{n}") for n in range(words)],
        [bindparam(f"like{n}") for n in range(words)],
    )
    others = by_identifier.where(~_ROWID.in_(indexed.where(_FTS.c.rowid == _ROWID)))
    count = select(
        select(func.count()).select_from(indexed.subquery()).scalar_subquery()
        + select(func.count()).select_from(others.subquery()).scalar_subquery()
    )

    def page(where: ColumnElement[bool]) -> Prepared:
        statement = select(*SOURCE_COLUMNS).where(where).order_by(*_order(sort, direction))
        return Prepared(statement.limit(bindparam("limit")).offset(bindparam("start")))

    return SimpleNamespace(
        count=Prepared(count),
        # Common words: walk the key index and test each row's own text (the same substring
        # test as the index, on text that is folded already); the page fills after a few rows.
        walk=page(every_word),
        # Rare words: fetch the index's matches and sort those few. Not a UNION: that sorts
        # every match once more just to drop duplicates.
        matches=page(or_(_ROWID.in_(indexed), _ROWID.in_(by_identifier))),
    )


_LAST_ROWID = Prepared(select(func.max(_ROWID).label("rowid")).select_from(SourceRow))


def search_sources(
    session: Session,
    *,
    q: str,
    sort: str = "key",
    direction: str = "asc",
    start: int = 0,
    limit: int | None = None,
    cache_key: Hashable | None = None,
) -> tuple[list[Any], int] | None:
    """SQLite, ``q`` alone: the count from the full-text index, then the page by the plan that
    suits how many sources match. None when this fast path does not apply (a word of fewer than
    three characters, which the trigram index cannot look up)."""
    words = fold(q).split()
    if not words or any(len(w) < _FTS_MIN for w in words):
        return None
    statements = _search_statements(len(words), sort, direction)
    values: dict[str, Any] = {
        "key": q.strip(),
        "start": start,
        "limit": -1 if limit is None else limit,
    }
    values["fts"] = _fts_expression(words)
    for n, word in enumerate(words):
        values[f"like{n}"] = like_pattern(word)
        values[f"word{n}"] = word

    def counted(_session: Session) -> int:
        return int(read(session, statements.count, values)[0][0])

    total = count_sources(session, [], cache_key=cache_key, counter=counted)
    if total == 0 or limit == 0 or start >= total:
        return [], total
    dense = False
    if sort == "key":
        ((last,),) = read(session, _LAST_ROWID, {})
        dense = total > _DENSE * (last or 1)
    page = statements.walk if dense else statements.matches
    return [SourceColumns._make(row) for row in read(session, page, values)], total


_CLAIMS = ClaimRow.__table__  # type: ignore[attr-defined]
_CITATIONS = CitationRow.__table__  # type: ignore[attr-defined]
# Compiled once; run on the driver connection (citekit.storage.prepared): the API's busiest read.
_CLAIM_WITH_CITATIONS = Prepared(
    select(
        *(c.label(f"claim_{c.name}") for c in _CLAIMS.c),
        *(c.label(f"citation_{c.name}") for c in _CITATIONS.c),
        *(c.label(f"source_{c.name}") for c in SOURCE_COLUMNS),
    )
    .select_from(
        _CLAIMS.outerjoin(_CITATIONS, _CITATIONS.c.claim_id == _CLAIMS.c.id).outerjoin(
            SourceRow.__table__,  # type: ignore[attr-defined]
            SOURCE_COLUMNS[0] == _CITATIONS.c.source_id,
        )
    )
    .where(_CLAIMS.c.id == bindparam("claim_id"))
)


ClaimColumns = namedtuple("ClaimColumns", [c.name for c in _CLAIMS.c])  # type: ignore[misc]
CitationColumns = namedtuple("CitationColumns", [c.name for c in _CITATIONS.c])  # type: ignore[misc]
_CLAIM_END = len(_CLAIMS.c)
_CITATION_END = _CLAIM_END + len(_CITATIONS.c)


def claim_with_citations(session: Session, claim_id: str) -> list[tuple[Any, Any, Any]]:
    """The claim's columns with each of its citations' and their sources'
    (``SOURCE_COLUMNS``), as ``(claim, citation, source)`` named tuples: one for each citation,
    one with ``None`` for both when it has none, none when there is no such claim.

    One statement, so it is run as a prepared read; inside a transaction that has written, on
    the session's own connection, which sees what the transaction wrote.
    """
    found = []
    for row in read(session, _CLAIM_WITH_CITATIONS, {"claim_id": claim_id}):
        citation = row[_CLAIM_END:_CITATION_END]
        source = row[_CITATION_END:]
        found.append(
            (
                ClaimColumns._make(row[:_CLAIM_END]),
                CitationColumns._make(citation) if citation[0] is not None else None,
                SourceColumns._make(source) if source[0] is not None else None,
            )
        )
    return found


def touch(row: Any, now: datetime | None = None) -> None:
    """Bump an object's version and modified time."""
    row.version += 1
    row.modified = now or utcnow()

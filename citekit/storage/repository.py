"""Repository functions: rows in, model objects out. Callers own the transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from anyascii import anyascii
from sqlalchemy import ColumnElement, and_, column, func, literal_column, or_, table
from sqlalchemy.sql.expression import ColumnClause
from sqlmodel import Session, col, select

from citekit.model import Source
from citekit.storage.tables import SourceRow, utcnow

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


def row_to_source(row: SourceRow) -> Source:
    """The stored record with its id, key, version and timestamps."""
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


def get_source_row(session: Session, ref: str) -> SourceRow | None:
    """By id first, then by citation key."""
    row = session.get(SourceRow, ref)
    if row is None:
        row = session.exec(select(SourceRow).where(SourceRow.key == ref)).first()
    return row


def keys_like(session: Session, base: str) -> set[str]:
    """Keys that start with ``base`` (to pick a free suffix)."""
    pattern = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.exec(select(SourceRow.key).where(col(SourceRow.key).like(pattern, escape="\\")))
    return set(rows)


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLite's FTS5 table over sources.search_text (migration 0002); trigrams need three characters.
_FTS = table("sources_fts", column("rowid"), column("search_text"))
_FTS_MIN = 3
_ROWID: ColumnClause[Any] = literal_column("sources.rowid")
# "+rowid" hides the rowid from the planner, so it walks the key index in order and stops at
# the page's end instead of fetching every match to sort it: faster once matches are common.
_ROWID_UNINDEXED: ColumnClause[Any] = literal_column("+sources.rowid")
_DENSE = 0.02


def _word_condition(word: str, q: str) -> ColumnElement[bool]:
    """One word of ``q``: a substring of search_text, or the DOI, or ``q`` is the key."""
    return or_(
        col(SourceRow.search_text).like(_like(word), escape="\\"),
        col(SourceRow.doi) == word,
        col(SourceRow.key) == q.strip(),
    )


def search_rowids(q: str) -> tuple[tuple[Any, Any] | None, list[str]]:
    """SQLite: the rowids of sources that match every word of ``q`` of three or more characters
    (two selects, whose union it is, or None if there is none), and the shorter words left for
    LIKE.

    The FTS5 trigram index answers "every word is a substring of search_text"; rows that match
    a word only as their DOI or key come from a second, index-backed arm checked word by word.
    """
    words = fold(q).split()
    long_words = [w for w in words if len(w) >= _FTS_MIN]
    short = [w for w in words if len(w) < _FTS_MIN]
    if not long_words:
        return None, short
    expression = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
    indexed = select(_FTS.c.rowid).select_from(_FTS)
    indexed = indexed.where(_FTS.c.search_text.op("MATCH")(expression))
    by_identifier = (
        select(_ROWID)
        .select_from(SourceRow)
        .where(or_(col(SourceRow.doi).in_(long_words), col(SourceRow.key) == q.strip()))
        .where(*(_word_condition(w, q) for w in long_words))
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
        conditions.append(col(SourceRow.creators_text).like(_like(fold(creator)), escape="\\"))
    return conditions


def count_sources(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    """How many sources match ``conditions``."""
    where = and_(True, *conditions)
    return int(session.exec(select(func.count()).select_from(SourceRow).where(where)).one())


def _order(sort: str, direction: str) -> list[Any]:
    column = SORT_COLUMNS[sort]
    if sort == "key":  # unique and never NULL: the plain order lets SQLite walk its index
        return [column.desc() if direction == "desc" else column.asc()]
    order = (column.desc() if direction == "desc" else column.asc()).nulls_last()
    return [order, SourceRow.key]


def query_sources(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    *,
    sort: str = "key",
    direction: str = "asc",
    start: int = 0,
    limit: int | None = None,
) -> tuple[list[SourceRow], int]:
    """Rows matching ``conditions`` in order, and the total count without paging."""
    where = and_(True, *conditions)
    statement = select(SourceRow).where(where).order_by(*_order(sort, direction)).offset(start)
    if limit is not None:
        if limit == 0:
            return [], count_sources(session, conditions)
        statement = statement.limit(limit)
    rows = list(session.exec(statement))
    # A page that is not full, or no paging at all, tells the total without a second query.
    if (rows and (limit is None or len(rows) < limit)) or (start == 0 and not rows):
        return rows, start + len(rows)
    return rows, count_sources(session, conditions)


def search_sources(
    session: Session,
    *,
    q: str,
    sort: str = "key",
    direction: str = "asc",
    start: int = 0,
    limit: int | None = None,
) -> tuple[list[SourceRow], int] | None:
    """SQLite, ``q`` alone: the count from the full-text index, then the page by the plan that
    suits how many sources match. None when this fast path does not apply."""
    rowids, short = search_rowids(q)
    if rowids is None or short:
        return None
    indexed, by_identifier = rowids
    # Matches of the index, plus identifier matches the index does not hold (nearly always none).
    counted = select(func.count()).select_from(indexed.subquery())
    others = by_identifier.where(~_ROWID.in_(indexed.where(_FTS.c.rowid == _ROWID)))
    extra = select(func.count()).select_from(others.subquery())
    total = int(session.exec(select(counted.scalar_subquery() + extra.scalar_subquery())).one())
    if total == 0 or limit == 0 or start >= total:
        return [], total
    library = session.exec(select(func.max(_ROWID)).select_from(SourceRow)).one() or 1
    dense = sort == "key" and total > _DENSE * library
    rowid = _ROWID_UNINDEXED if dense else _ROWID
    membership = or_(rowid.in_(indexed), rowid.in_(by_identifier))
    statement = select(SourceRow).where(membership).order_by(*_order(sort, direction))
    statement = statement.offset(start)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.exec(statement)), total


def touch(row: Any, now: datetime | None = None) -> None:
    """Bump an object's version and modified time."""
    row.version += 1
    row.modified = now or utcnow()

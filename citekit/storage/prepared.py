"""Statements compiled once and run on the pooled driver connection.

For the few reads that every writing tool makes all the time (a claim with its sources, a
search), SQLAlchemy's work around each execution (a transaction, an execution context, a cursor
result, per-row processing) costs several times what SQLite takes to answer. A ``Prepared``
statement keeps SQLAlchemy's compiled SQL and its result processors (faster equivalents for
JSON and datetimes; the tests hold the values equal to SQLAlchemy's), but runs the one
statement as the driver's own autocommitted read (no BEGIN or COMMIT): a single statement sees
one consistent snapshot of the database on its own.

Only for reads that are one statement; everything that writes goes through a Session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic_core import from_json
from sqlalchemy import JSON, DateTime, Engine
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

# Set in ``session.info`` by citekit.storage.library once the session's transaction has written.
WROTE = "citekit.wrote"

Processor = Callable[[Any], Any] | None


def _json(value: Any) -> Any:
    # SQLite hands back the text; PostgreSQL's driver has decoded it already.
    return from_json(value) if isinstance(value, str | bytes) else value


def _utc(value: Any) -> Any:
    # SQLite hands back ISO text without an offset (UTC, as stored); PostgreSQL a datetime.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def _processor(type_: Any, dialect: Dialect) -> Processor:
    """What SQLAlchemy does to a column's value, done faster for the two types that cost:
    JSON (decoded by pydantic-core) and the UTC datetimes of the tables (``UTCDateTime``: naive
    means UTC). The tests hold the results equal to SQLAlchemy's own."""
    if isinstance(type_, JSON):
        return _json
    if isinstance(getattr(type_, "impl", type_), DateTime):
        return _utc
    return type_.dialect_impl(dialect).result_processor(dialect, None)  # type: ignore[no-any-return]


class _Compiled:
    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.compiled = compiled
        self.sql = str(compiled)
        self.order: list[str] | None = (
            list(compiled.positiontup or []) if compiled.positional else None
        )
        columns = list(statement.selected_columns)
        processors = [_processor(column.type, dialect) for column in columns]
        # Only the columns that need it are processed (a claim's row has 35 columns, 5 of them).
        self.active = [(i, p) for i, p in enumerate(processors) if p is not None]

    def parameters(self, values: Mapping[str, Any]) -> Any:
        # With the values of literals in the statement (``id = 1`` is bound too).
        every = self.compiled.construct_params(dict(values))
        if self.order is None:
            return every
        return tuple(every[name] for name in self.order)


class Prepared:
    """A Core ``select`` compiled once per dialect; ``rows`` runs it with bound ``values`` and
    returns each row as a tuple of its columns' values (processed as SQLAlchemy processes
    them), in the order the statement selects them."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[tuple[type, str], _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (type(dialect), dialect.paramstyle)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.statement, dialect)
        return compiled

    def rows(self, engine: Engine, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._for(engine.dialect)
        dialect = engine.dialect
        parameters = compiled.parameters(values)
        connection = engine.raw_connection()  # from the pool; closing hands it back, reset
        # PostgreSQL: one statement needs no transaction of its own, and BEGIN and ROLLBACK
        # would be two more round trips. (SQLite's connections are in autocommit already.)
        driver = connection.driver_connection if dialect.name == "postgresql" else None
        failure: Exception | None = None
        lost = False
        try:
            if driver is not None:
                driver.autocommit = True
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, parameters)
                raw = cursor.fetchall()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error as exc:
            failure = exc
            # A lost connection is not handed back to the pool.
            lost = dialect.is_disconnect(exc, connection.dbapi_connection, None)
            if lost:
                connection.invalidate(exc)
        finally:
            if driver is not None and not lost:
                try:
                    driver.autocommit = False
                except dialect.loaded_dbapi.Error as exc:
                    # A connection that cannot be put back as it was is not reused either.
                    connection.invalidate(exc)
            connection.close()
        if failure is not None:
            # As SQLAlchemy reports driver errors: an OperationalError when the database is
            # locked, gone or out of connections (the API answers 503).
            raise DBAPIError.instance(
                compiled.sql,
                parameters,
                failure,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from failure
        if not compiled.active:
            return [tuple(row) for row in raw]
        processed = []
        for row in raw:
            cells = list(row)
            for index, process in compiled.active:
                value = cells[index]
                if value is not None:
                    cells[index] = process(value)
            processed.append(tuple(cells))
        return processed


def read(session: Session, prepared: Prepared, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """``prepared`` as a read of its own; on the session's connection instead once the session
    holds one (a request never takes two connections, and a transaction that has written sees
    what it wrote)."""
    if session.info.get(WROTE) or session.in_transaction():
        result = session.connection().execute(prepared.statement, dict(values))
        return [tuple(row) for row in result]
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    return prepared.rows(bind, values)

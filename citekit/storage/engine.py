"""Engines and sessions: SQLite (a file, WAL mode) by default, PostgreSQL for shared deployments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from citekit.config import get_settings

# Any constant will do; it only has to be the same for every worker that migrates.
_MIGRATION_LOCK = 7_311_442


def make_engine(url: str | None = None, *, migrate: bool = True, **options: Any) -> Engine:
    """An engine for ``url`` (default: ``CITEKIT_DATABASE_URL`` or ``sqlite:///citekit.db``).

    With ``migrate`` the schema is brought to the latest Alembic revision first.
    """
    settings = get_settings()
    url = url or settings.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        if parsed.database not in (None, "", ":memory:") and "poolclass" not in options:
            # The default pool (5 + 10 overflow) is smaller than the server's thread pool, so
            # at 16 concurrent requests some waited for a connection; WAL readers do not block.
            options.setdefault("pool_size", settings.pool_size)
            options.setdefault("max_overflow", settings.max_overflow)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        options.setdefault("pool_size", settings.pool_size)
        options.setdefault("max_overflow", settings.max_overflow)
        options.setdefault("pool_pre_ping", settings.pool_pre_ping)
        engine = create_engine(url, **options)
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module opens and commits transactions on its own schedule, which makes
    # SAVEPOINTs commit for real; SQLAlchemy's recipe: let the driver do nothing and emit BEGIN
    # ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def alembic_config() -> Config:
    """Alembic's configuration pointing at citekit's bundled migrations."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("citekit.storage").joinpath("migrations"))
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations; on PostgreSQL an advisory lock keeps concurrent workers in line."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

"""search index on sources.search_text

SQLite: an FTS5 table with the trigram tokenizer over ``sources`` (external content, kept in step
by triggers), so that a search word of three or more characters is an indexed substring match.
PostgreSQL: a GIN trigram index (pg_trgm), which ``LIKE '%word%'`` uses as it is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    # External content: the index stores no second copy of search_text; rowids are sources'.
    "CREATE VIRTUAL TABLE sources_fts USING fts5("
    "search_text, content='sources', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources BEGIN "
    "INSERT INTO sources_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources BEGIN "
    "INSERT INTO sources_fts(sources_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER sources_fts_update AFTER UPDATE OF search_text ON sources BEGIN "
    "INSERT INTO sources_fts(sources_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO sources_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    # Index whatever is stored already.
    "INSERT INTO sources_fts(sources_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS sources_fts_update",
    "DROP TRIGGER IF EXISTS sources_fts_delete",
    "DROP TRIGGER IF EXISTS sources_fts_insert",
    "DROP TABLE IF EXISTS sources_fts",
]


def _trgm_schema(connection: sa.Connection) -> str | None:
    """The schema pg_trgm lives in, installing it in ``public`` if it is missing (None if this
    role may not install it: the search then works without an index)."""
    find = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = connection.execute(find).scalar()
    if schema is not None:
        return str(schema)
    try:
        # A savepoint: a refused CREATE EXTENSION must not abort the migration's transaction.
        with connection.begin_nested():
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError:
        return None
    return str(connection.execute(find).scalar())


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif connection.dialect.name == "postgresql":
        schema = _trgm_schema(connection)
        if schema is not None:
            # The operator class is qualified: the schema may not be on the search_path.
            op.execute(
                "CREATE INDEX IF NOT EXISTS ix_sources_search_trgm ON sources "
                f'USING gin (search_text "{schema}".gin_trgm_ops)'
            )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif connection.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_sources_search_trgm")

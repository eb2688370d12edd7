"""Alembic environment: citekit runs migrations in-process on the connection it is given."""

from alembic import context
from sqlmodel import SQLModel

from citekit.storage import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from citekit.storage.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"), migrate=False)
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

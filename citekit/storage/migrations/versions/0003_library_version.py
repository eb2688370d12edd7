"""library version

One row: a random ``uid`` (told apart from every other database) and a ``version`` that each
writing transaction raises by one (citekit.storage.library), as the Zotero Web API's library
version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:20:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    library = op.create_table(
        "library",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(library, [{"id": 1, "uid": uuid.uuid4().hex, "version": 0}])


def downgrade() -> None:
    op.drop_table("library")

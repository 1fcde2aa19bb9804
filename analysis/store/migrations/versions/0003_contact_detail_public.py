"""Each contact detail its own public flag: ``email_public`` and ``phone_public`` on
organisations and services, beside ``contact_public`` (which stays the website's flag).

A migration is frozen: it spells the schema as it was when written, never through the
model's constants, so that a later rename is a new migration.

Existing records keep what they showed: both flags start as the record's
``contact_public``. The columns keep a server default of false, so that SQLite can add
them as NOT NULL to tables that have rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10 09:12:40.218305

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("organization", "service")
_FLAGS = ("email_public", "phone_public")


def upgrade() -> None:
    """Upgrade schema."""
    for table in _TABLES:
        for flag in _FLAGS:
            op.add_column(
                table,
                sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False),
            )
        records = sa.table(
            table, *(sa.column(name, sa.Boolean()) for name in (*_FLAGS, "contact_public"))
        )
        op.execute(
            records.update().values({records.c[flag]: records.c.contact_public for flag in _FLAGS})
        )


def downgrade() -> None:
    """Downgrade schema."""
    # Dropped in place, not by batch mode's copy of the table: SQLite (3.35 and later)
    # drops a column itself, and a copied organisation table would break its services'
    # foreign keys.
    for table in reversed(_TABLES):
        for flag in reversed(_FLAGS):
            op.drop_column(table, flag)

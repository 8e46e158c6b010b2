"""reminders for application deadlines (issue 4)

A reminder now belongs to a booking or to an application; an application's
reminders are about a deadline, kept on the row (`event_at`, `event_name`).
Batch mode, because SQLite alters a column's nullability by copying the table.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch:
        batch.alter_column("booking_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("event_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("event_name", sa.String(length=256), nullable=False, server_default="")
        )
        batch.create_index(batch.f("ix_reminders_application_id"), ["application_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_reminders_application_id_applications"),
            "applications", ["application_id"], ["id"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM reminders WHERE booking_id IS NULL")
    with op.batch_alter_table("reminders", schema=None) as batch:
        batch.drop_constraint(batch.f("fk_reminders_application_id_applications"), type_="foreignkey")
        batch.drop_index(batch.f("ix_reminders_application_id"))
        batch.drop_column("event_name")
        batch.drop_column("event_at")
        batch.drop_column("application_id")
        batch.alter_column("booking_id", existing_type=sa.Integer(), nullable=False)

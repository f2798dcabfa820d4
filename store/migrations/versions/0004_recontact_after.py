"""Not yet: the day a screening's waiting periods end, so the site can recontact the patient.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add screenings.recontact_after (indexed) and results.recontact_after."""
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("recontact_after", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_screenings_recontact_after"), ["recontact_after"])
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("recontact_after", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop both columns."""
    with op.batch_alter_table("results") as batch:
        batch.drop_column("recontact_after")
    with op.batch_alter_table("screenings") as batch:
        batch.drop_index(batch.f("ix_screenings_recontact_after"))
        batch.drop_column("recontact_after")

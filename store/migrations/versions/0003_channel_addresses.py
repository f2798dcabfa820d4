"""Messaging apps: where an SMS, WhatsApp or Telegram patient is reached, and their opt-out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the channel_addresses table."""
    op.create_table(
        "channel_addresses",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sealed_address", sa.Text(), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_prompt", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_channel_addresses")),
    )


def downgrade() -> None:
    """Drop the channel_addresses table."""
    op.drop_table("channel_addresses")

"""preview decisions

Revision ID: prv_0001
Revises: aud_0001

One linear chain of migrations; this revision holds the tables of:
dialer.engine.preview_models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.storage.base

revision: str = "prv_0001"
down_revision: str | Sequence[str] | None = "aud_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "preview_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=80), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=True),
        sa.Column("gate_decision_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_preview_decisions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_preview_decisions_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preview_decisions")),
    )
    op.create_index(
        "ix_preview_decisions_lead", "preview_decisions", ["lead_id", "decision"], unique=False
    )
    op.create_index(
        "ix_preview_decisions_owner_open", "preview_decisions", ["owner", "closed"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_preview_decisions_owner_open", table_name="preview_decisions")
    op.drop_index("ix_preview_decisions_lead", table_name="preview_decisions")
    op.drop_table("preview_decisions")

"""compliance decisions and abandonment ledger

Revision ID: cmp_0001
Revises: dnc_0001

One linear chain of migrations; this revision holds the tables of:
compliance. ``compliance_decisions`` is append-only: triggers refuse UPDATE and DELETE on
SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.storage.base

revision: str = "cmp_0001"
down_revision: str | Sequence[str] | None = "dnc_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "compliance_decisions is append-only"


def upgrade() -> None:
    op.create_table(
        "compliance_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decided_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("dial_mode", sa.String(length=16), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("next_allowed_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_decisions")),
    )
    op.create_index(
        "ix_compliance_decisions_campaign",
        "compliance_decisions",
        ["campaign_id", "decided_at"],
        unique=False,
    )
    op.create_index(
        "ix_compliance_decisions_phone", "compliance_decisions", ["phone", "decided_at"]
    )
    op.create_table(
        "compliance_abandonment",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("live_answers", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_compliance_abandonment")),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER compliance_decisions_no_{event.lower()} "
                f"BEFORE {event} ON compliance_decisions "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION compliance_decisions_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER compliance_decisions_append_only "
            "BEFORE UPDATE OR DELETE ON compliance_decisions "
            "FOR EACH ROW EXECUTE FUNCTION compliance_decisions_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS compliance_decisions_no_update")
        op.execute("DROP TRIGGER IF EXISTS compliance_decisions_no_delete")
    elif dialect == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS compliance_decisions_append_only ON compliance_decisions"
        )
        op.execute("DROP FUNCTION IF EXISTS compliance_decisions_append_only()")
    op.drop_table("compliance_abandonment")
    op.drop_index("ix_compliance_decisions_phone", table_name="compliance_decisions")
    op.drop_index("ix_compliance_decisions_campaign", table_name="compliance_decisions")
    op.drop_table("compliance_decisions")

"""engine: calls, call events, agents, job claims

Revision ID: eng_0001
Revises: imp_0001

One linear chain of migrations; this revision holds the tables of:
dialer.engine.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.storage.base

revision: str = "eng_0001"
down_revision: str | Sequence[str] | None = "imp_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("created_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    op.create_table(
        "job_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=80), nullable=False),
        sa.Column("slot", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_claims")),
        sa.UniqueConstraint("job", "slot", name=op.f("uq_job_claims_job")),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=80), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("campaign_ids", sa.JSON(), nullable=False),
        sa.Column("started_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seconds_by_state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_sessions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sessions")),
    )
    op.create_index(
        op.f("ix_agent_sessions_agent_id"), "agent_sessions", ["agent_id"], unique=False
    )
    op.create_table(
        "agent_state_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("pause_code", sa.String(length=40), nullable=True),
        sa.Column("started_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["agent_sessions.id"],
            name=op.f("fk_agent_state_log_session_id_agent_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_log")),
    )
    op.create_index(
        op.f("ix_agent_state_log_session_id"), "agent_state_log", ["session_id"], unique=False
    )
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=80), nullable=True),
        sa.Column("due_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_callbacks_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_callbacks_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    op.create_index("ix_callbacks_due", "callbacks", ["status", "due_at"], unique=False)
    op.create_index(op.f("ix_callbacks_lead_id"), "callbacks", ["lead_id"], unique=False)
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("debt_id", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("carrier", sa.String(length=24), nullable=False),
        sa.Column("carrier_call_id", sa.String(length=80), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("timezones", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("answered_by", sa.String(length=12), nullable=True),
        sa.Column("agent_id", sa.String(length=80), nullable=True),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("safe_harbor_played", sa.Boolean(), nullable=False),
        sa.Column("conversation", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("created_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("logged_at", dialer.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_calls_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_calls_lead_id_leads"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index("ix_calls_lead", "calls", ["lead_id"], unique=False)
    op.create_index("ix_calls_owner_final", "calls", ["owner", "final"], unique=False)
    op.create_index("ix_calls_phone_created", "calls", ["phone", "created_at"], unique=False)
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("at", dialer.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_events_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
    )
    op.create_index(op.f("ix_call_events_call_id"), "call_events", ["call_id"], unique=False)
    op.add_column(
        "campaigns", sa.Column("max_wrap_s", sa.Float(), server_default="120", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("max_wrap_s")
    op.drop_index(op.f("ix_call_events_call_id"), table_name="call_events")
    op.drop_table("call_events")
    op.drop_index("ix_calls_phone_created", table_name="calls")
    op.drop_index("ix_calls_owner_final", table_name="calls")
    op.drop_index("ix_calls_lead", table_name="calls")
    op.drop_table("calls")
    op.drop_index(op.f("ix_callbacks_lead_id"), table_name="callbacks")
    op.drop_index("ix_callbacks_due", table_name="callbacks")
    op.drop_table("callbacks")
    op.drop_index(op.f("ix_agent_state_log_session_id"), table_name="agent_state_log")
    op.drop_table("agent_state_log")
    op.drop_index(op.f("ix_agent_sessions_agent_id"), table_name="agent_sessions")
    op.drop_table("agent_sessions")
    op.drop_table("job_claims")
    op.drop_table("agents")

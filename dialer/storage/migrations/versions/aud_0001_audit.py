"""audit: hash-chained call log

Revision ID: aud_0001
Revises: web_0001

One linear chain of migrations; this revision holds the tables of:
compliance.audit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.storage.base

revision: str = "aud_0001"
down_revision: str | Sequence[str] | None = "web_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = dialer.storage.base.UTCDateTime(timezone=True)
_INDEXES: dict[str, tuple[list[str], bool]] = {
    "ix_call_log_call_id": (["call_id"], True),
    "ix_call_log_started": (["started_at"], False),
    "ix_call_log_campaign_started": (["campaign_id", "started_at"], False),
    "ix_call_log_phone_started": (["phone", "started_at"], False),
    "ix_call_log_agent_started": (["agent_id", "started_at"], False),
    "ix_call_log_outcome_started": (["outcome", "started_at"], False),
    "ix_call_log_live": (["campaign_id", "answered_by", "started_at", "abandoned"], False),
}


def upgrade() -> None:
    op.create_table(
        "call_log",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("carrier", sa.String(length=24), nullable=False),
        sa.Column("carrier_call_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", _UTC, nullable=False),
        sa.Column("ended_at", _UTC, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=16), nullable=True),
        sa.Column("agent_id", sa.String(length=80), nullable=True),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("safe_harbor_played", sa.Boolean(), nullable=False),
        sa.Column("states", sa.Text(), nullable=False),
        sa.Column("timezones", sa.Text(), nullable=False),
        sa.Column("local_times", sa.Text(), nullable=False),
        sa.Column("recording_ref", sa.String(length=200), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_call_log")),
    )
    with op.batch_alter_table("call_log", schema=None) as batch_op:
        for name, (columns, unique) in _INDEXES.items():
            batch_op.create_index(name, columns, unique=unique)
    head = op.create_table(
        "call_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", _SEQ, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_log_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    op.drop_table("call_log_head")
    with op.batch_alter_table("call_log", schema=None) as batch_op:
        for name in reversed(_INDEXES):
            batch_op.drop_index(name)
    op.drop_table("call_log")

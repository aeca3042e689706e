"""lead import: rejected rows, import indexes

Revision ID: imp_0001
Revises: cmp_0001

One linear chain of migrations; this revision holds the tables of:
campaigns import.

The lease index of leads becomes partial (only leased leads), so that bulk imports do not
maintain it; import runs count blank rows and leads imported as not dialable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "imp_0001"
down_revision: str | Sequence[str] | None = "cmp_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEASED = sa.text("lease_owner IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_lease")
        batch_op.create_index(
            "ix_leads_lease",
            ["lease_owner", "lease_expires_at"],
            unique=False,
            sqlite_where=_LEASED,
            postgresql_where=_LEASED,
        )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blank", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("not_dialable", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("not_dialable")
        batch_op.drop_column("blank")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_lease")
        batch_op.create_index("ix_leads_lease", ["lease_owner", "lease_expires_at"], unique=False)

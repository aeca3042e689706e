"""compliance decisions and abandonment ledger

Revision ID: cmp_0001
Revises: dnc_0001

One linear chain of migrations; this revision holds the tables of:
compliance.
"""

from collections.abc import Sequence

revision: str = "cmp_0001"
down_revision: str | Sequence[str] | None = "dnc_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

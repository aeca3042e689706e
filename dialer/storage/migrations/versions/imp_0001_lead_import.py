"""lead import: rejected rows, import indexes

Revision ID: imp_0001
Revises: cmp_0001

One linear chain of migrations; this revision holds the tables of:
campaigns import.
"""

from collections.abc import Sequence

revision: str = "imp_0001"
down_revision: str | Sequence[str] | None = "cmp_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""audit: hash-chained call log

Revision ID: aud_0001
Revises: web_0001

One linear chain of migrations; this revision holds the tables of:
compliance.audit.
"""

from collections.abc import Sequence

revision: str = "aud_0001"
down_revision: str | Sequence[str] | None = "web_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""engine: calls, call events, agents, job claims

Revision ID: eng_0001
Revises: imp_0001

One linear chain of migrations; this revision holds the tables of:
dialer.engine.
"""

from collections.abc import Sequence

revision: str = "eng_0001"
down_revision: str | Sequence[str] | None = "imp_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""web console: users and sessions

Revision ID: web_0001
Revises: eng_0001

One linear chain of migrations; this revision holds the tables of:
dialer.access / dialer.web.console.
"""

from collections.abc import Sequence

revision: str = "web_0001"
down_revision: str | Sequence[str] | None = "eng_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

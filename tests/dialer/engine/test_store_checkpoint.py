"""Who checkpoints SQLite's write-ahead log: the event loop's connection, or only the flusher."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from dialer.engine.leads import LeadStore
from dialer.engine.store import WriteBuffer
from dialer.storage import make_engine, session_factory, upgrade


@pytest.mark.parametrize(("loop_checkpoints", "expected"), [(True, 1000), (False, 0)])
def test_the_loop_connection_leaves_checkpoints_to_the_flushing_thread(
    tmp_path: Path, loop_checkpoints: bool, expected: int
) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'dialer.db'}")
    upgrade(db)
    buffer = WriteBuffer(
        db, LeadStore(session_factory(db), "me", 60.0), loop_checkpoints=loop_checkpoints
    )
    with buffer._begin() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == expected
    with db.connect() as other:  # the pool's connections (the flushing thread's) still do
        assert other.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    buffer.close()
    db.dispose()

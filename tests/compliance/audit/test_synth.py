"""The benchmark generator writes exactly the chain the call log writes (verify finds nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from compliance.audit import CallLogRow, verify_log
from compliance.audit.abandonment import live_slots
from compliance.audit.query import CallFilter, count_calls, iter_calls
from compliance.audit.synth import SynthSpec, generate_log


def test_a_generated_log_verifies_and_queries(engine: Engine) -> None:
    spec = SynthSpec(records=500, days=3, campaigns=2, seed=3)
    generate_log(engine, spec, batch=128)
    result = verify_log(engine)
    assert result.ok, [f.describe() for f in result.findings]
    assert result.checked == 500
    assert result.head is not None
    assert result.head[0] == 500
    with Session(engine) as session:
        assert (
            count_calls(session, CallFilter(campaign_id=1))
            + count_calls(session, CallFilter(campaign_id=2))
            == 500
        )
        first = next(iter_calls(session, CallFilter(), limit=1))
        assert first["started_at"] >= datetime(2025, 1, 1, tzinfo=UTC)
        assert first["states"][0][0] == "dialing"
        slots = live_slots(session)
        assert 0 < sum(s.live for s in slots) < 500
    indexes = {i["name"] for i in inspect(engine).get_indexes("call_log")}
    assert indexes == {str(i.name) for i in CallLogRow.metadata.tables["call_log"].indexes}


def test_the_generator_needs_an_empty_log(engine: Engine) -> None:
    generate_log(engine, SynthSpec(records=5, seed=1))
    with pytest.raises(ValueError, match="empty call log"):
        generate_log(engine, SynthSpec(records=5, seed=1))

"""Write-through persistence of the engine's in-memory state, batched per tick.

A call's row (and its ``created`` event) is written, together with its lead's ``in_progress``
mark, in the transaction that precedes its origination: a crash never loses a call that reached
the carrier. Later transitions, lead outcomes and agent stretches are queued and written in one
transaction per tick (:meth:`WriteBuffer.flush`); at most one tick of transitions can be lost in
a crash, and :mod:`.recovery` reconciles those calls with the carrier on restart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, insert, update

from dialer.agents.state import Stretch
from dialer.engine.bulk import BulkStatement
from dialer.engine.calls import Call, CallState
from dialer.engine.leads import LeadOutcome, LeadStore
from dialer.engine.models import AgentStateLogRow, CallEventRow, CallRow

__all__ = ["Batch", "CallMeta", "WriteBuffer"]

_CALLS: Table = CallRow.__table__  # type: ignore[assignment]
_EVENTS: Table = CallEventRow.__table__  # type: ignore[assignment]
_STRETCHES: Table = AgentStateLogRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class CallMeta:
    """What a new call's row needs beyond the in-memory :class:`Call`."""

    purpose: str
    debt_id: str | None
    owner: str
    carrier: str


@dataclass(frozen=True)
class Batch:
    events: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    outcomes: list[LeadOutcome]
    stretches: list[dict[str, Any]]
    dialing: list[tuple[int, int, datetime]]


@dataclass
class WriteBuffer:
    """Queued writes of one engine process."""

    db: Engine
    leads: LeadStore
    _events: list[dict[str, Any]] = field(default_factory=list)
    _calls: dict[str, Call] = field(default_factory=dict)  # calls whose row changed
    _outcomes: list[LeadOutcome] = field(default_factory=list)
    _stretches: list[tuple[int | None, Stretch]] = field(default_factory=list)
    _dialing: list[tuple[int, int, datetime]] = field(default_factory=list)
    _conn: Connection | None = None

    def record(self, call: Call, state: CallState, at: datetime, detail: str = "") -> None:
        """Queue one transition of ``call`` (already applied in memory)."""
        self._events.append(
            {"call_id": call.id, "state": str(state), "at": at, "detail": detail or None}
        )
        self._calls[call.id] = call

    def lead_outcome(self, outcome: LeadOutcome) -> None:
        self._outcomes.append(outcome)

    def stretch(self, session_id: int | None, stretch: Stretch) -> None:
        self._stretches.append((session_id, stretch))

    def insert_calls(
        self,
        calls: Sequence[tuple[Call, CallMeta]],
        dialing: Sequence[tuple[int, int]],
        now: datetime,
    ) -> None:
        """Write new call rows now (before they are dialed); queue their ``created`` events and
        their leads' ``in_progress`` marks (the leads' leases hold them meanwhile)."""
        with self._begin() as conn:
            _INSERT_CALLS.execute(conn, [_new_row(c, m) for c, m in calls])
        self._events.extend(
            {"call_id": c.id, "state": str(c.state), "at": c.created_at, "detail": None}
            for c, _ in calls
        )
        self._dialing.extend((lid, att, now) for lid, att in dialing)

    def flush(self) -> None:
        """Write everything queued in one transaction."""
        if self._events or self._calls or self._outcomes or self._stretches or self._dialing:
            with self._begin() as conn:
                self._write(conn)

    def close(self) -> None:
        """Give back the connection held for the event loop's writes."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction on the event loop's own connection (SQLite: held, so each tick's write
        skips the pool; other back ends: from the pool each time)."""
        if self.db.dialect.name != "sqlite":
            with self.db.begin() as pooled:
                yield pooled
            return
        held = self._conn
        if held is None or held.closed or held.invalidated:
            held = self._conn = self.db.connect()
        with held.begin():
            yield held

    @property
    def pending(self) -> int:
        return len(self._events) + len(self._outcomes) + len(self._stretches)

    def take(self) -> Batch:
        """Everything queued, as rows (the queue is emptied)."""
        batch = Batch(
            self._events,
            [_changes(c) for c in self._calls.values()],
            self._outcomes,
            [_stretch_row(sid, s) for sid, s in self._stretches],
            self._dialing,
        )
        self._events, self._calls, self._outcomes, self._stretches, self._dialing = (
            [],
            {},
            [],
            [],
            [],
        )
        return batch

    def flush_batch(self, batch: Batch) -> None:
        """Write a taken batch in one transaction (safe in a worker thread)."""
        with self.db.begin() as conn:
            self._write_batch(conn, batch)

    def _write(self, conn: Connection) -> None:
        self._write_batch(conn, self.take())

    def _write_batch(self, conn: Connection, batch: Batch) -> None:
        events, changes, outcomes, stretches, dialing = (
            batch.events,
            batch.calls,
            batch.outcomes,
            batch.stretches,
            batch.dialing,
        )
        done = {o.lead_id for o in outcomes if o.attempts is not None}
        dialing = [d for d in dialing if d[0] not in done]  # the outcome writes the attempt
        if dialing:
            self.leads.mark_dialing(conn, dialing)
        _INSERT_EVENTS.execute(conn, events)
        _UPDATE_CALLS.execute(conn, changes)
        if outcomes:
            self.leads.finish(conn, outcomes)
        _INSERT_STRETCHES.execute(conn, stretches)


_CHANGES: dict[str, Any] = {
    name: bindparam(f"v_{name}")
    for name in (
        "state",
        "final",
        "carrier_call_id",
        "answered_by",
        "agent_id",
        "disposition",
        "abandoned",
        "safe_harbor_played",
        "conversation",
        "detail",
        "answered_at",
        "ended_at",
        "logged_at",
    )
}


_NEW_CALL_KEYS = (
    "id",
    "campaign_id",
    "lead_id",
    "phone",
    "purpose",
    "debt_id",
    "owner",
    "carrier",
    "carrier_call_id",
    "decision_id",
    "timezones",
    "state",
    "final",
    "abandoned",
    "safe_harbor_played",
    "conversation",
    "created_at",
)
_STRETCH_KEYS = (
    "session_id",
    "agent_id",
    "state",
    "pause_code",
    "started_at",
    "ended_at",
    "seconds",
)
_INSERT_CALLS = BulkStatement(insert(_CALLS), _NEW_CALL_KEYS)
_INSERT_EVENTS = BulkStatement(insert(_EVENTS), ("call_id", "state", "at", "detail"))
_INSERT_STRETCHES = BulkStatement(insert(_STRETCHES), _STRETCH_KEYS)
_UPDATE_CALLS = BulkStatement(
    update(_CALLS).where(_CALLS.c.id == bindparam("cid")).values(_CHANGES)
)


def _changes(call: Call) -> dict[str, Any]:
    return {
        "cid": call.id,
        "v_state": str(call.state),
        "v_final": call.final and (call.agent_id is None or call.disposition is not None),
        "v_carrier_call_id": call.carrier_call_id,
        "v_answered_by": call.answered_by,
        "v_agent_id": call.agent_id,
        "v_disposition": call.disposition,
        "v_abandoned": call.abandoned,
        "v_safe_harbor_played": call.safe_harbor_played,
        "v_conversation": call.bridged_mono is not None,
        "v_detail": (call.detail or None) and call.detail[:200],
        "v_answered_at": call.answered_at,
        "v_ended_at": call.ended_at,
        "v_logged_at": call.logged_at,
    }


def _new_row(call: Call, meta: CallMeta) -> dict[str, Any]:
    return {
        "id": call.id,
        "campaign_id": call.campaign_id,
        "lead_id": call.lead_id,
        "phone": call.phone,
        "purpose": meta.purpose,
        "debt_id": meta.debt_id,
        "owner": meta.owner,
        "carrier": meta.carrier,
        "carrier_call_id": None,
        "decision_id": call.decision_id,
        "timezones": list(call.timezones),
        "state": str(call.state),
        "final": False,
        "abandoned": False,
        "safe_harbor_played": False,
        "conversation": False,
        "created_at": call.created_at,
    }


def _stretch_row(session_id: int | None, s: Stretch) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "agent_id": s.agent_id,
        "state": str(s.state),
        "pause_code": s.pause_code,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "seconds": s.seconds,
    }

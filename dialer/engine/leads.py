"""The lead store: claim ready leads with leases, extend, release, reclaim dead leases.

A claim sets ``lease_owner``/``lease_expires_at``. On PostgreSQL candidates are selected
``FOR UPDATE SKIP LOCKED`` so two dialers skip each other's rows; on every back end the update is
guarded (``lease_owner IS NULL OR lease expired``) and read back, so a lead is never held twice.
A lead being dialed is ``in_progress``; if its dialer dies, the lease expires and
:meth:`LeadStore.reclaim_expired` puts it back for a retry after the ``lost`` rule's delay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from compliance.api import LeadFacts
from compliance.facts import lead_facts
from dialer.engine.bulk import BulkStatement

__all__ = ["ClaimedLead", "LeadOutcome", "LeadStore", "screen_record"]

READY_STATUSES = (LeadStatus.NEW, LeadStatus.RETRY, LeadStatus.CALLBACK)
_LEADS: Table = Lead.__table__  # type: ignore[assignment]
_BY_ID = _LEADS.c.id == bindparam("lid")
_MARK = BulkStatement(
    update(_LEADS)
    .where(_BY_ID)
    .values(
        status=LeadStatus.IN_PROGRESS,
        attempts=bindparam("att"),
        last_attempt_at=bindparam("la"),
        lease_expires_at=bindparam("le"),
    )
)
_FINISH_VALUES: dict[str, Any] = {
    "status": bindparam("st"),
    "next_eligible_at": bindparam("nx"),
    "status_reason": bindparam("rs"),
    "lease_owner": None,
    "lease_expires_at": None,
}
_FINISH = BulkStatement(update(_LEADS).where(_BY_ID).values(_FINISH_VALUES))
_FINISH_DP = BulkStatement(
    update(_LEADS).where(_BY_ID).values({**_FINISH_VALUES, "last_disposition": bindparam("dp")})
)
_FINISH_ATTEMPT = BulkStatement(
    update(_LEADS)
    .where(_BY_ID)
    .values(
        {
            **_FINISH_VALUES,
            "last_disposition": bindparam("dp"),
            "attempts": bindparam("att"),
            "last_attempt_at": bindparam("la"),
        }
    )
)


@dataclass(frozen=True, slots=True)
class ClaimedLead:
    """A lead held by this dialer: what the gate, the dialer and the screen pop need."""

    id: int
    campaign_id: int
    phone: str
    facts: LeadFacts
    attempts: int
    status: LeadStatus
    callback_agent: str | None
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LeadOutcome:
    """A lead update to write: status, next time, last disposition; the lease is released."""

    lead_id: int
    status: LeadStatus
    next_eligible_at: datetime | None
    reason: str | None = None
    disposition: str | None = None
    attempts: int | None = None  # with ``last_attempt_at``: the attempt that just ended
    last_attempt_at: datetime | None = None


_RECORD_FIELDS = (
    "id",
    "phone",
    "first_name",
    "last_name",
    "email",
    "address",
    "city",
    "state",
    "zip",
    "attempts",
    "last_disposition",
)


def screen_record(lead: Any) -> dict[str, Any]:
    """The lead record an agent sees on the screen pop (a ``Lead`` or a row of its columns)."""
    record = {name: getattr(lead, name) for name in _RECORD_FIELDS}
    record["custom"] = dict(lead.custom or {})
    return record


class LeadStore:
    """Lead leases for one dialer process (``owner``)."""

    def __init__(self, sessions: sessionmaker[Session], owner: str, lease_s: float) -> None:
        self.sessions = sessions
        self.owner = owner
        self.lease = timedelta(seconds=lease_s)

    def claim(
        self, campaign_id: int, limit: int, now: datetime, country: str = "US"
    ) -> list[ClaimedLead]:
        """Lease up to ``limit`` due leads of the campaign: callbacks, then retries, then new
        leads (each an index range of ``ix_leads_ready``)."""
        with self.sessions.begin() as session:
            ids: list[int] = []
            for status in (LeadStatus.CALLBACK, LeadStatus.RETRY, LeadStatus.NEW):
                if len(ids) < limit:
                    query = self._candidates(campaign_id, status, limit - len(ids), now)
                    ids.extend(session.scalars(query))
            if not ids:
                return []
            expires = now + self.lease
            conn = session.connection()
            conn.execute(_LEASE, {"ids": ids, "owner": self.owner, "le": expires, "now": now})
            rows = conn.execute(_LEASED, {"ids": ids, "owner": self.owner, "le": expires})
            # plain attributes are cheaper to read than a Row's
            claimed = {row.id: _claimed(SimpleNamespace(**row._asdict()), country) for row in rows}
            return [claimed[i] for i in ids if i in claimed]

    def claim_callback(self, lead_id: int, now: datetime, country: str) -> ClaimedLead | None:
        """Lease one callback lead promised to an agent (None if it is leased elsewhere or no
        longer such a callback)."""
        expires = now + self.lease
        with self.sessions.begin() as session:
            session.execute(
                update(Lead)
                .where(
                    Lead.id == lead_id,
                    Lead.status == LeadStatus.CALLBACK,
                    Lead.callback_agent.is_not(None),
                    _free(now),
                )
                .values(lease_owner=self.owner, lease_expires_at=expires)
                .execution_options(synchronize_session=False)
            )
            row = session.execute(
                _LEASED, {"ids": [lead_id], "owner": self.owner, "le": expires}
            ).first()
            return None if row is None else _claimed(row, country)

    def _candidates(self, campaign_id: int, status: LeadStatus, limit: int, now: datetime) -> Any:
        due = (
            Lead.next_eligible_at.is_(None)
            if status is LeadStatus.NEW
            else Lead.next_eligible_at <= now
        )
        return (
            select(Lead.id)
            .where(Lead.campaign_id == campaign_id, Lead.status == status, due, _free(now))
            .order_by(Lead.next_eligible_at, Lead.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )

    def mark_dialing(self, conn: Connection, leads: Sequence[tuple[int, int, datetime]]) -> None:
        """``(lead id, attempts, when)``: dialed then, in progress, attempt counted."""
        if leads:
            _MARK.execute(
                conn,
                [
                    {"lid": lid, "att": att, "la": at, "le": at + self.lease}
                    for lid, att, at in leads
                ],
            )

    def finish(self, conn: Connection, outcomes: Iterable[LeadOutcome]) -> None:
        """Write the leads' new statuses (and last disposition, attempts, if known); release
        their leases."""
        groups: dict[BulkStatement, list[dict[str, Any]]] = {}
        for o in outcomes:
            row = {"lid": o.lead_id, "st": o.status, "nx": o.next_eligible_at, "rs": o.reason}
            if o.attempts is not None and o.disposition is not None:
                stmt = _FINISH_ATTEMPT
                row.update(dp=o.disposition, att=o.attempts, la=o.last_attempt_at)
            elif o.disposition is not None:
                stmt = _FINISH_DP
                row["dp"] = o.disposition
            else:
                stmt = _FINISH
            groups.setdefault(stmt, []).append(row)
        for stmt, rows in groups.items():
            stmt.execute(conn, rows)

    def release(self, session: Session, lead_ids: Sequence[int]) -> None:
        """Give back claimed leads that were not dialed."""
        if lead_ids:
            session.execute(
                update(Lead)
                .where(Lead.id.in_(lead_ids), Lead.lease_owner == self.owner)
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )

    def extend(self, now: datetime) -> int:
        """Renew every lease this dialer holds; the number renewed."""
        with self.sessions.begin() as session:
            result = session.execute(
                update(Lead)
                .where(Lead.lease_owner == self.owner)
                .values(lease_expires_at=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def reclaim_expired(self, now: datetime, retry_after: timedelta) -> int:
        """Leads whose dialer died while dialing them: retry after ``retry_after`` from the
        attempt; plain expired claims are simply free again. Returns the leads put back."""
        with self.sessions.begin() as session:
            rows = session.execute(
                select(Lead.id, Lead.last_attempt_at)
                .where(  # an in-progress lead is leased: the partial lease index finds them
                    Lead.lease_owner.is_not(None),
                    Lead.status == LeadStatus.IN_PROGRESS,
                    Lead.lease_expires_at < now,
                )
                .with_for_update(skip_locked=True)
            ).all()
            outcomes = [
                LeadOutcome(
                    lid,
                    LeadStatus.RETRY,
                    (last or now) + retry_after,
                    "lost: the dialer holding it stopped",
                    "lost",
                )
                for lid, last in rows
            ]
            self.finish(session.connection(), outcomes)
            return len(outcomes)

    def release_all(self, now: datetime) -> None:
        """Give back every claimed, undialed lead of this dialer (shutting down)."""
        with self.sessions.begin() as session:
            session.execute(
                update(Lead)
                .where(Lead.lease_owner == self.owner, Lead.status != LeadStatus.IN_PROGRESS)
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )


_LEASE = (
    update(_LEADS)
    .where(
        _LEADS.c.id.in_(bindparam("ids", expanding=True)),
        or_(_LEADS.c.lease_owner.is_(None), _LEADS.c.lease_expires_at < bindparam("now")),
    )
    .values(lease_owner=bindparam("owner"), lease_expires_at=bindparam("le"))
)
_LEASED = select(_LEADS).where(
    _LEADS.c.id.in_(bindparam("ids", expanding=True)),
    _LEADS.c.lease_owner == bindparam("owner"),
    _LEADS.c.lease_expires_at == bindparam("le"),
)


def _free(now: datetime) -> Any:
    return or_(Lead.lease_owner.is_(None), and_(Lead.lease_expires_at < now))


def _claimed(lead: Any, country: str) -> ClaimedLead:
    return ClaimedLead(
        id=lead.id,
        campaign_id=lead.campaign_id,
        phone=lead.phone,
        facts=lead_facts(lead, country),
        attempts=lead.attempts,
        status=LeadStatus(lead.status),
        callback_agent=lead.callback_agent,
        record=screen_record(lead),
    )

"""``ComplianceGate``: the :class:`compliance.api.Gate` the engine calls before every dial.

It evaluates (:mod:`compliance.evaluate`), appends every decision to ``compliance_decisions``
with its reasons and evidence, and returns the decision with its stored ``id``. A decision that
cannot be recorded is not returned as an allow: the gate returns a denial saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from compliance.api import CallHistory, CampaignFacts, Decision, LeadFacts, Reason
from compliance.dnc.lookup import open_lookup
from compliance.evaluate import Lookups, evaluate_many
from compliance.models import ComplianceDecision
from dialer.errors import ConfigError
from dialer.settings import Settings

__all__ = ["ComplianceGate", "build_gate", "decision_from_row", "stored_decisions"]

log = logging.getLogger("compliance.gate")


class ComplianceGate:
    """Evaluate, record, return. ``check_many`` does a batch in one transaction."""

    def __init__(self, sessions: sessionmaker[Session], lookups: Lookups) -> None:
        self._sessions = sessions
        self.lookups = lookups

    def check(self, lead: LeadFacts, campaign: CampaignFacts, at: datetime) -> Decision:
        return self.check_many([lead], campaign, at)[0]

    def check_many(
        self, leads: Sequence[LeadFacts], campaign: CampaignFacts, at: datetime
    ) -> list[Decision]:
        refresh = getattr(self.lookups.dnc, "refresh", None)
        if refresh is not None:  # pick up registries imported since (a stat per file)
            refresh()
        decisions = evaluate_many(leads, campaign, at, self.lookups)
        rows = [
            _row(lead, campaign, d, self.lookups.rules.version)
            for lead, d in zip(leads, decisions, strict=True)
        ]
        try:
            ids = self._store(rows)
        except SQLAlchemyError as exc:
            log.error("compliance decisions could not be recorded: %s", exc)
            return [_unrecorded(d, exc) for d in decisions]
        return [replace(d, id=i) for d, i in zip(decisions, ids, strict=True)]

    def _store(self, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        stmt = insert(ComplianceDecision).returning(
            ComplianceDecision.id, sort_by_parameter_order=True
        )
        with self._sessions.begin() as session:
            return list(session.scalars(stmt, rows))


def build_gate(
    sessions: sessionmaker[Session], settings: Settings, history: CallHistory
) -> ComplianceGate:
    """The gate over the database's company and campaign lists, the registries of
    ``settings.data_dir`` and ``history`` (the engine's call log)."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine):
        raise ConfigError("the compliance gate needs a session factory bound to an engine")
    dnc = open_lookup(engine, settings.data_dir)
    return ComplianceGate(sessions, Lookups(dnc, history))


def _row(lead: LeadFacts, campaign: CampaignFacts, d: Decision, version: str) -> dict[str, Any]:
    return {
        "decided_at": d.at,
        "campaign_id": campaign.campaign_id,
        "lead_id": lead.lead_id,
        "phone": lead.phone,
        "purpose": campaign.purpose,
        "dial_mode": campaign.dial_mode,
        "allowed": d.allowed,
        "next_allowed_at": d.next_allowed_at,
        "reasons": [
            {"rule_id": r.rule_id, "source": r.source, "detail": r.detail, "allowed": r.allowed}
            for r in d.reasons
        ],
        "evidence": dict(d.evidence),
        "rules_version": version,
    }


def _unrecorded(d: Decision, exc: Exception) -> Decision:
    why = f"the decision could not be recorded ({type(exc).__name__}): denied (fail closed)"
    reason = Reason("decision.record", "issue 3, sections 8-9", why, False)
    return replace(d, allowed=False, reasons=(*d.reasons, reason), next_allowed_at=None)


def decision_from_row(row: ComplianceDecision) -> Decision:
    reasons = tuple(
        Reason(r["rule_id"], r["source"], r["detail"], bool(r["allowed"])) for r in row.reasons
    )
    return Decision(row.allowed, reasons, row.decided_at, row.next_allowed_at, row.evidence, row.id)


def stored_decisions(
    session: Session,
    *,
    campaign_id: int | None = None,
    phone: str | None = None,
    limit: int = 50,
) -> Sequence[ComplianceDecision]:
    """The most recent stored decisions (newest first), optionally of one campaign or number."""
    query = select(ComplianceDecision).order_by(ComplianceDecision.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(ComplianceDecision.campaign_id == campaign_id)
    if phone is not None:
        query = query.where(ComplianceDecision.phone == phone)
    return session.scalars(query).all()

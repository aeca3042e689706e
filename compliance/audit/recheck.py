"""Facts for :mod:`compliance.audit.violations`, rebuilt from stored data, and the scan itself.

* the lead and the campaign: their stored rows (as they are now: the log does not copy them);
* do-not-call: company and campaign entries active at the dial instant (``dnc_entries`` keeps
  added and removed times); registry hits from the loaded registry files, counted when the
  file's data date is on or before the call; the registry versions are those recorded with the
  call's stored decision (the data the dialer had), else the loaded ones dated on or before it;
* earlier attempts to the number: the call log itself.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from campaigns.models import Campaign, Lead
from compliance.api import Attempt, CampaignFacts, DncHit, DncLookup, LeadFacts
from compliance.audit.models import CallLogRow
from compliance.audit.query import CallFilter
from compliance.audit.violations import LoggedCall, Violation, ViolationKind, attempt_of, check_call
from compliance.dnc.models import DncEntry
from compliance.evaluate import Facts
from compliance.facts import campaign_facts, lead_facts
from compliance.models import ComplianceDecision
from compliance.rules import RuleBook

__all__ = ["find_violations", "load_calls"]

_CHUNK = 500
_COLUMNS: tuple[Any, ...] = (
    CallLogRow.seq,
    CallLogRow.call_id,
    CallLogRow.campaign_id,
    CallLogRow.lead_id,
    CallLogRow.phone,
    CallLogRow.purpose,
    CallLogRow.decision_id,
    CallLogRow.states,
    CallLogRow.answered_by,
    CallLogRow.agent_id,
    CallLogRow.abandoned,
    CallLogRow.safe_harbor_played,
    CallLogRow.timezones,
)
K = TypeVar("K")


def _chunks(values: Iterable[K]) -> Iterator[list[K]]:
    items = sorted(set(values), key=str)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _call(row: Any) -> LoggedCall:
    states = tuple(
        (name, datetime.fromisoformat(at).replace(tzinfo=UTC)) for name, at in json.loads(row[7])
    )
    return LoggedCall(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        row[3],
        str(row[4]),
        str(row[5]),
        row[6],
        states,
        row[8],
        row[9],
        bool(row[10]),
        bool(row[11]),
        tuple(json.loads(row[12])),
    )


def load_calls(session: Session, where: CallFilter) -> list[LoggedCall]:
    query = where.apply(select(*_COLUMNS)).order_by(CallLogRow.started_at, CallLogRow.seq)
    return [_call(row) for row in session.execute(query)]


def _by_chunks(
    session: Session, column: Any, values: Iterable[Any], *columns: Any
) -> Iterator[Any]:
    for chunk in _chunks(values):
        criterion: ColumnElement[bool] = column.in_(chunk)
        yield from session.execute(select(*columns).where(criterion))


class _Facts:
    """The stored data the calls of one scan need, loaded in a few batched queries."""

    def __init__(self, session: Session, calls: Sequence[LoggedCall], dnc: DncLookup) -> None:
        phones = {c.phone for c in calls}
        history = [_call(r) for r in _by_chunks(session, CallLogRow.phone, phones, *_COLUMNS)]
        lead_ids = {c.lead_id for c in (*calls, *history) if c.lead_id is not None}
        self.leads = {lead.id: lead for (lead,) in _by_chunks(session, Lead.id, lead_ids, Lead)}
        self.campaigns = {
            c.id: campaign_facts(c)
            for (c,) in _by_chunks(session, Campaign.id, {c.campaign_id for c in calls}, Campaign)
        }
        self.entries: dict[str, list[DncEntry]] = defaultdict(list)
        for (entry,) in _by_chunks(session, DncEntry.phone, phones, DncEntry):
            self.entries[entry.phone].append(entry)
        decision_ids = {c.decision_id for c in calls if c.decision_id is not None}
        self.decision_versions: dict[int, dict[str, date]] = {
            int(i): _versions(evidence)
            for i, evidence in _by_chunks(
                session,
                ComplianceDecision.id,
                decision_ids,
                ComplianceDecision.id,
                ComplianceDecision.evidence,
            )
        }
        self.loaded = dict(dnc.versions())
        self.registry = _registry_hits(dnc, sorted(phones))
        self.attempts: dict[str, tuple[list[datetime], list[Attempt]]] = {}
        grouped: dict[str, list[LoggedCall]] = defaultdict(list)
        for past in history:
            grouped[past.phone].append(past)
        for phone, past_calls in grouped.items():
            past_calls.sort(key=lambda c: (c.dialed_at, c.seq))
            attempts = [attempt_of(c, self._debt(c.lead_id)) for c in past_calls]
            self.attempts[phone] = ([a.at for a in attempts], attempts)

    def _debt(self, lead_id: int | None) -> str | None:
        lead = self.leads.get(lead_id) if lead_id is not None else None
        return None if lead is None else lead.debt_id

    def facts(self, call: LoggedCall, campaign: CampaignFacts) -> Facts:
        at = call.dialed_at
        lead = self.leads.get(call.lead_id) if call.lead_id is not None else None
        if lead is not None:
            lead_view = lead_facts(lead, campaign.country)
        else:  # the lead row is gone: its zones as logged, nothing else known
            lead_view = LeadFacts(call.phone, call.timezones, (), campaign.country)
        times, attempts = self.attempts.get(call.phone, ([], []))
        earlier = attempts[: bisect_left(times, at)]
        return Facts(lead_view, campaign, at, self._hits(call, at), self._versions(call), earlier)

    def _hits(self, call: LoggedCall, at: datetime) -> tuple[DncHit, ...]:
        day = at.date()
        hits = [
            h for h in self.registry.get(call.phone, ()) if date.fromisoformat(h.version) <= day
        ]
        for entry in self.entries.get(call.phone, ()):
            mine = entry.campaign_id is None or entry.campaign_id == call.campaign_id
            removed = entry.removed_at is not None and entry.removed_at <= at
            if mine and entry.added_at <= at and not removed:
                detail = f"added by {entry.added_by} ({entry.source})"
                hits.append(DncHit(entry.list_name, entry.added_at.isoformat(), detail))
        return tuple(hits)

    def _versions(self, call: LoggedCall) -> dict[str, date]:
        if call.decision_id is not None and call.decision_id in self.decision_versions:
            return self.decision_versions[call.decision_id]
        day = call.dialed_at.date()
        return {name: d for name, d in self.loaded.items() if d <= day}


def _versions(evidence: Any) -> dict[str, date]:
    versions = evidence.get("dnc_versions", {}) if isinstance(evidence, dict) else {}
    return {str(k): date.fromisoformat(str(v)) for k, v in versions.items()}


def _registry_hits(dnc: DncLookup, phones: list[str]) -> dict[str, tuple[DncHit, ...]]:
    """Registry hits only (national and state files); list entries come from their history."""
    many = getattr(dnc, "lookup_many", None)
    found = many(phones, None) if many is not None else [dnc.lookup(p, 0) for p in phones]
    out: dict[str, tuple[DncHit, ...]] = {}
    for phone, hits in zip(phones, found, strict=True):
        registry = tuple(
            h for h in hits if h.list_name != "company" and not h.list_name.startswith("campaign:")
        )
        if registry:
            out[phone] = registry
    return out


def find_violations(
    session: Session, dnc: DncLookup, rules: RuleBook, where: CallFilter | None = None
) -> tuple[int, list[Violation]]:
    """How many calls match ``where``, and every violation among them, in call order."""
    calls = load_calls(session, where or CallFilter())
    if not calls:
        return 0, []
    facts = _Facts(session, calls, dnc)
    found: list[Violation] = []
    for call in calls:
        campaign = facts.campaigns.get(call.campaign_id)
        if campaign is None:
            detail = f"campaign {call.campaign_id} is not in the database: rules cannot be applied"
            kind = ViolationKind.UNCHECKABLE
            found.append(Violation(kind, call, "audit.campaign", "fail closed", detail))
            continue
        found.extend(check_call(call, facts.facts(call, campaign), rules))
    return len(calls), found

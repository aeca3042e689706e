"""``dialer audit explain``: the decision a call was dialed under, as stored by the compliance
gate (rules evaluated with their sources, data versions, zones), beside the call record and a
recomputation from the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.api import DncLookup
from compliance.audit.models import CallLogRow
from compliance.audit.query import CallFilter
from compliance.audit.recheck import find_violations
from compliance.audit.violations import Violation
from compliance.models import ComplianceDecision
from compliance.rules import RuleBook
from dialer.errors import NotFoundError

__all__ = ["Explanation", "explain_call"]


@dataclass(frozen=True, slots=True)
class Explanation:
    call: dict[str, Any]
    decision: dict[str, Any] | None  # None: no stored decision (or its id is not found)
    rechecked: list[Violation]

    def as_json(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "decision": self.decision,
            "recomputed_violations": [
                {"kind": v.kind.value, "rule_id": v.rule_id, "source": v.source, "detail": v.detail}
                for v in self.rechecked
            ],
        }

    def lines(self) -> list[str]:
        c = self.call
        out = [
            f"call {c['call_id']} (seq {c['seq']}): campaign {c['campaign_id']}, {c['purpose']}, "
            f"to {c['phone']}, lead {c['lead_id']}",
            f"  started {c['started_at']} UTC; zones {', '.join(c['timezones']) or 'none'}; "
            "local time(s) "
            + (", ".join(f"{z} {t}" for z, t in c["local_times"].items()) or "none"),
            "  states: " + ", ".join(f"{name} {at[11:19]}" for name, at in c["states"]),
            f"  outcome {c['outcome']}, answered by {c['answered_by']}, agent {c['agent_id']}, "
            f"disposition {c['disposition']}, abandoned {c['abandoned']}, "
            f"message played {c['safe_harbor_played']}",
        ]
        d = self.decision
        if d is None:
            out.append(
                f"decision: none stored (decision id {c['decision_id']}): the call has no "
                "recorded compliance decision"
            )
        else:
            verdict = "ALLOWED" if d["allowed"] else "DENIED"
            out.append(
                f"decision #{d['id']} at {d['decided_at']}: {verdict} "
                f"(rules version {d['rules_version']}, dial mode {d['dial_mode']})"
            )
            ev = d["evidence"]
            versions = ev.get("dnc_versions") or {}
            out.append(
                f"  zones {ev.get('zones')}, states {ev.get('states')}, line type "
                f"{ev.get('line_type')}, automated {ev.get('automated')}, earlier attempts "
                f"{ev.get('attempts')}"
            )
            out.append(
                "  do-not-call data: "
                + (", ".join(f"{k} of {v}" for k, v in versions.items()) or "none loaded")
            )
            out.append("  rules evaluated:")
            for r in d["reasons"]:
                mark = "allow" if r["allowed"] else "DENY"
                out.append(f"    [{mark}] {r['rule_id']}: {r['detail']} ({r['source']})")
        if self.rechecked:
            out.append("recomputed from the log now: VIOLATIONS")
            out.extend(f"  {v.kind.value}: {v.rule_id}: {v.detail}" for v in self.rechecked)
        else:
            out.append("recomputed from the log now: no violation")
        return out


def _decision(row: ComplianceDecision) -> dict[str, Any]:
    return {
        "id": row.id,
        "decided_at": row.decided_at.isoformat(),
        "allowed": row.allowed,
        "campaign_id": row.campaign_id,
        "lead_id": row.lead_id,
        "phone": row.phone,
        "purpose": row.purpose,
        "dial_mode": row.dial_mode,
        "next_allowed_at": row.next_allowed_at.isoformat() if row.next_allowed_at else None,
        "rules_version": row.rules_version,
        "reasons": list(row.reasons),
        "evidence": dict(row.evidence),
    }


def explain_call(session: Session, call_id: str, dnc: DncLookup, rules: RuleBook) -> Explanation:
    row = session.scalar(select(CallLogRow).where(CallLogRow.call_id == call_id))
    if row is None:
        raise NotFoundError(f"no call {call_id!r} in the call log")
    call = {
        name: getattr(row, name)
        for name in (
            "seq",
            "call_id",
            "campaign_id",
            "lead_id",
            "phone",
            "purpose",
            "decision_id",
            "carrier",
            "carrier_call_id",
            "outcome",
            "answered_by",
            "agent_id",
            "disposition",
            "abandoned",
            "safe_harbor_played",
            "recording_ref",
        )
    }
    call["started_at"] = row.started_at.isoformat()
    call["ended_at"] = row.ended_at.isoformat()
    for name in ("states", "timezones", "local_times"):
        call[name] = json.loads(getattr(row, name))
    stored = session.get(ComplianceDecision, row.decision_id) if row.decision_id else None
    _, rechecked = find_violations(session, dnc, rules, CallFilter(call_id=call_id))
    return Explanation(call, None if stored is None else _decision(stored), rechecked)

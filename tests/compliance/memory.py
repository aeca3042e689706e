"""Small in-memory lookups for the compliance tests (a call history and DNC data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from compliance.api import Attempt, CampaignFacts, DncHit, LeadFacts

FRESH = date(2026, 3, 1)


@dataclass
class MemoryHistory:
    by_phone: dict[str, list[Attempt]] = field(default_factory=dict)

    def add(self, phone: str, attempt: Attempt) -> None:
        self.by_phone.setdefault(phone, []).append(attempt)
        self.by_phone[phone].sort(key=lambda a: a.at)

    def attempts(self, phone: str, since: datetime) -> Sequence[Attempt]:
        return [a for a in self.by_phone.get(phone, []) if a.at >= since]


@dataclass
class MemoryDnc:
    hits: dict[str, tuple[DncHit, ...]] = field(default_factory=dict)
    loaded: dict[str, date] = field(default_factory=dict)

    def lookup(self, phone: str, campaign_id: int) -> tuple[DncHit, ...]:
        return tuple(
            h
            for h in self.hits.get(phone, ())
            if not h.list_name.startswith("campaign:") or h.list_name == f"campaign:{campaign_id}"
        )

    def versions(self) -> Mapping[str, date]:
        return self.loaded


def fresh_dnc(on: date = FRESH) -> MemoryDnc:
    """Every registry the rules name, loaded on ``on``."""
    names = ["national", "national:CA", "national:GB"]
    names += [f"state:{s}" for s in ("AL", "FL", "LA", "MA", "MS", "PA", "TX")]
    return MemoryDnc(loaded=dict.fromkeys(names, on))


def lead(
    phone: str = "+12125550100",
    zones: tuple[str, ...] = ("America/New_York",),
    states: tuple[str, ...] = ("NY",),
    **kw: object,
) -> LeadFacts:
    return LeadFacts(phone, zones, states, **kw)  # type: ignore[arg-type]


def campaign(
    purpose: str = "telemarketing", dial_mode: str = "preview", **kw: object
) -> CampaignFacts:
    return CampaignFacts(1, purpose, dial_mode, **kw)  # type: ignore[arg-type]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)

"""Compliance decisions per second, in batch, on one core.

Builds a synthetic batch of leads (a mix of US states, multi-zone area codes, Canada, wireless
and landline, consent, EBR, DNC listings and call histories), then times
``compliance.evaluate.evaluate_many`` (facts gathered through in-memory lookups) and
``compliance.evaluate.decide`` (the pure rules alone) at several instants of a day.

    python -m benchmarks.compliance_decisions [--leads 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from compliance.api import Attempt, CampaignFacts, DncHit, LeadFacts
from compliance.evaluate import HISTORY_SINCE, Facts, Lookups, decide, evaluate_many

# (country, state, zones): a spread of the researched states, multi-zone states and Canada.
PLACES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("US", "NY", ("America/New_York",)),
    ("US", "CA", ("America/Los_Angeles",)),
    ("US", "TX", ("America/Chicago",)),
    ("US", "TX", ("America/Chicago", "America/Denver")),
    ("US", "FL", ("America/New_York",)),
    ("US", "FL", ("America/New_York", "America/Chicago")),
    ("US", "PA", ("America/New_York",)),
    ("US", "AZ", ("America/Phoenix",)),
    ("US", "IN", ("America/Indiana/Indianapolis", "America/Chicago")),
    ("US", "UT", ("America/Denver",)),
    ("US", "RI", ("America/New_York",)),
    ("US", "WA", ("America/Los_Angeles",)),
    ("US", "MA", ("America/New_York",)),
    ("US", "HI", ("Pacific/Honolulu",)),
    ("US", "KY", ("America/New_York", "America/Chicago")),
    ("US", "OK", ("America/Chicago",)),
    ("CA", "ON", ("America/Toronto",)),
    ("CA", "BC", ("America/Vancouver",)),
)
LINES = ("wireless", "landline", "unknown", "voip")
CONSENTS = ("none", "express", "express_written")
DATA_DATE = date(2026, 3, 1)


@dataclass
class DictDnc:
    hits: dict[str, tuple[DncHit, ...]]
    loaded: dict[str, date] = field(default_factory=dict)

    def lookup(self, phone: str, campaign_id: int) -> tuple[DncHit, ...]:
        return self.hits.get(phone, ())

    def lookup_many(self, phones: Sequence[str], campaign_id: int) -> list[tuple[DncHit, ...]]:
        get = self.hits.get
        return [get(p, ()) for p in phones]

    def versions(self) -> Mapping[str, date]:
        return self.loaded


@dataclass
class DictHistory:
    by_phone: dict[str, list[Attempt]]

    def attempts(self, phone: str, since: datetime) -> Sequence[Attempt]:
        return self.by_phone.get(phone, ())


def build(n: int, seed: int, start: datetime) -> tuple[list[LeadFacts], DictDnc, DictHistory]:
    rng = np.random.default_rng(seed)
    places = rng.integers(len(PLACES), size=n)
    lines = rng.integers(len(LINES), size=n)
    consents = rng.integers(len(CONSENTS), size=n)
    listed = rng.random(n) < 0.2
    called = rng.integers(0, 4, size=n)
    leads, hits, history = [], {}, {}
    for i in range(n):
        country, state, zones = PLACES[places[i]]
        phone = f"+1{2000000000 + i * 37:010d}"
        ebr = DATA_DATE - timedelta(days=int(rng.integers(0, 900))) if i % 7 == 0 else None
        leads.append(
            LeadFacts(
                phone,
                zones,
                (state,),
                country=country,
                line_type=LINES[lines[i]],
                consent_type=CONSENTS[consents[i]],
                ebr_purchase_date=ebr,
                lead_id=i,
            )
        )
        if listed[i]:
            hits[phone] = (DncHit("national", DATA_DATE.isoformat(), "registered"),)
        if called[i]:
            history[phone] = [
                Attempt(start - timedelta(hours=5 * k + 1), 1, "telemarketing")
                for k in range(int(called[i]))
            ]
    names = ["national", "national:CA"] + [f"state:{s}" for s in ("FL", "PA", "TX", "MA", "LA")]
    return leads, DictDnc(hits, dict.fromkeys(names, DATA_DATE)), DictHistory(history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    day = datetime(2026, 3, 10, tzinfo=UTC)
    instants = [day + timedelta(hours=h) for h in (3, 14, 18, 23)]
    leads, dnc, history = build(args.leads, args.seed, instants[0])
    lookups = Lookups(dnc, history)
    campaign = CampaignFacts(1, "telemarketing", "predictive", max_attempts=8)
    best_full = best_pure = 0.0
    for _ in range(args.rounds):
        for at in instants:
            t0 = time.process_time()
            decisions = evaluate_many(leads, campaign, at, lookups)
            full = len(leads) / (time.process_time() - t0)
            facts = [
                Facts(
                    lead,
                    campaign,
                    at,
                    dnc.lookup(lead.phone, 1),
                    dnc.loaded,
                    history.attempts(lead.phone, HISTORY_SINCE),
                )
                for lead in leads
            ]
            t0 = time.process_time()
            for f in facts:
                decide(f, lookups.rules)
            pure = len(leads) / (time.process_time() - t0)
            best_full, best_pure = max(best_full, full), max(best_pure, pure)
            allowed = sum(d.allowed for d in decisions)
            print(
                f"{at:%H:%M} UTC: {len(leads):,} decisions, {allowed:,} allowed; "
                f"evaluate_many {full:,.0f}/s, decide {pure:,.0f}/s"
            )
    print(
        f"best: evaluate_many {best_full:,.0f} decisions/s; decide {best_pure:,.0f} decisions/s"
        " (one core, CPU time)"
    )


if __name__ == "__main__":
    main()

"""The combined lookup: registries + company + campaign lists, one number and in batch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from campaigns.models import Campaign
from compliance.api import DncHit, DncLookup
from compliance.dnc import (
    add_campaign_dnc,
    add_company_dnc,
    import_registry,
    open_lookup,
    remove_dnc,
)

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _campaign(session: Session, name: str) -> int:
    campaign = Campaign(
        name=name, purpose="telemarketing", caller_id="+14155552671", created_at=NOW, updated_at=NOW
    )
    session.add(campaign)
    session.flush()
    return campaign.id


def _registry(tmp_path: Path, list_name: str, lines: str, day: date) -> None:
    src = tmp_path / f"{list_name.replace(':', '_')}.txt"
    src.write_text(lines)
    import_registry(tmp_path / "data", list_name, [src], now=NOW, data_date=day)


def test_lookup_reports_every_list(tmp_path: Path, engine: Engine) -> None:
    _registry(tmp_path, "national", "2125550100\n2125550101\n", date(2025, 2, 20))
    _registry(tmp_path, "state:FL", "3055550100\n2125550100\n", date(2025, 2, 1))
    with Session(engine) as session, session.begin():
        c1, c2 = _campaign(session, "A"), _campaign(session, "B")
        add_company_dnc(
            session, "+12125550101", at=NOW, by="agent 7", reason="asked", source="agent"
        )
        add_campaign_dnc(session, c1, "+13055550100", at=NOW, by="ops")
        add_company_dnc(session, "+12125550199", at=NOW, by="ops")
        remove_dnc(session, "+12125550199", at=NOW, by="ops", reason="mistake")
    lookup: DncLookup = open_lookup(engine, tmp_path / "data")
    assert lookup.versions() == {"national": date(2025, 2, 20), "state:FL": date(2025, 2, 1)}
    assert [h.list_name for h in lookup.lookup("+12125550100", c1)] == ["national", "state:FL"]
    assert [h.list_name for h in lookup.lookup("+12125550101", c2)] == ["national", "company"]
    assert [h.list_name for h in lookup.lookup("+13055550100", c1)] == [
        "national",
        "state:FL",
        f"campaign:{c1}",
    ]
    assert lookup.lookup("+13055550100", c2) == (
        DncHit(
            "national",
            "2025-02-20",
            "area code 305 is not in the imported registry: treat as listed",
        ),
        DncHit("state:FL", "2025-02-01", "registered"),
    )
    assert lookup.lookup("+12125550199", c1) == ()
    assert lookup.lookup("+442071838750", c1) == ()


def test_canadian_registry_answers_for_canadian_numbers_only(
    tmp_path: Path, engine: Engine
) -> None:
    _registry(tmp_path, "national", "2125550100\n", date(2025, 2, 20))
    _registry(tmp_path, "national:CA", "4165550100\n", date(2025, 2, 25))
    with Session(engine) as session, session.begin():
        c1 = _campaign(session, "A")
    lookup = open_lookup(engine, tmp_path / "data")
    assert lookup.versions()["national:CA"] == date(2025, 2, 25)
    assert lookup.lookup("+14165550100", c1) == (DncHit("national:CA", "2025-02-25", "registered"),)
    assert lookup.lookup("+14165550101", c1) == ()
    # A Canadian area code missing from the Canadian file is treated as listed (fail closed),
    # and a US number is not the Canadian registry's to answer for.
    assert lookup.lookup("+16045550100", c1) == (
        DncHit(
            "national:CA",
            "2025-02-25",
            "area code 604 is not in the imported registry: treat as listed",
        ),
    )
    assert lookup.lookup("+12125550101", c1) == ()

"""A small stored world for the violations and explain tests: campaigns, leads, a national
registry, a company do-not-call history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from campaigns.enums import ConsentType, DialMode, LineType, Purpose
from campaigns.models import Lead, LeadList
from campaigns.service import CampaignSpec, create_campaign
from compliance.dnc import add_company_dnc, open_lookup, remove_dnc
from compliance.dnc.build import import_registry
from compliance.dnc.lookup import CombinedDncLookup

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
REGISTRY_DAY = date(2026, 3, 1)
LISTED = "+14155550999"  # on the national registry


@dataclass
class World:
    preview: int  # campaign ids
    auto: int
    leads: dict[str, Lead]  # by name
    data_dir: Path

    def lookup(self, session: Session) -> CombinedDncLookup:
        return open_lookup(session, self.data_dir)


def build_world(session: Session, tmp_path: Path) -> World:
    spec = CampaignSpec(purpose=Purpose.TELEMARKETING, caller_id="+14155552671")
    preview = create_campaign(session, "Preview", spec, NOW)
    auto_spec = CampaignSpec(
        purpose=Purpose.TELEMARKETING, caller_id="+14155552671", dial_mode=DialMode.PREDICTIVE
    )
    auto = create_campaign(session, "Auto", auto_spec, NOW)
    leads: dict[str, Lead] = {}
    for campaign in (preview, auto):
        lead_list = LeadList(campaign_id=campaign.id, name="main", created_at=NOW)
        session.add(lead_list)
        session.flush()
        for i, name in enumerate("ABCDEFG"):
            phone = LISTED if name == "C" else f"+1415555010{i}"
            wireless = campaign is auto and name == "F"
            lead = Lead(
                campaign_id=campaign.id,
                list_id=lead_list.id,
                phone=phone,
                timezones=["America/Los_Angeles"],
                states=["CA"],
                line_type=LineType.WIRELESS if wireless else LineType.LANDLINE,
                consent_type=ConsentType.NONE,
                created_at=NOW,
            )
            session.add(lead)
            session.flush()
            leads[name if campaign is preview else f"auto-{name}"] = lead
    d_phone = leads["D"].phone
    add_company_dnc(session, d_phone, at=datetime(2026, 3, 1, tzinfo=UTC), by="test")
    remove_dnc(session, d_phone, campaign_id=None, at=datetime(2026, 3, 5, tzinfo=UTC), by="test")
    source = tmp_path / "415.txt"
    source.write_text("4155550999\n4155550998\n")
    data_dir = tmp_path / "data"
    import_registry(data_dir, "national", [source], now=NOW, data_date=REGISTRY_DAY)
    return World(preview.id, auto.id, leads, data_dir)

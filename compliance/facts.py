"""Facts for the rules, from the stored campaign and lead rows."""

from __future__ import annotations

from typing import Any

from campaigns.models import Campaign, Lead
from compliance.api import CampaignFacts, LeadFacts
from compliance.calendars import known_subdivisions
from compliance.preflight import Setup

__all__ = ["campaign_facts", "campaign_setup", "lead_facts"]


def _country(states: tuple[str, ...], default: str) -> str:
    """North American numbers share +1: a lead whose candidate states are all Canadian
    provinces is called in Canada, whatever the campaign's country."""
    bare = {s.upper().removeprefix("CA-") for s in states}
    if default == "US" and bare and bare <= known_subdivisions("CA"):
        return "CA"
    return default


def lead_facts(lead: Lead | Any, country: str = "US") -> LeadFacts:
    """The rules' view of a lead, an ORM ``Lead`` or a row with its columns (``country``: the
    campaign's, where the lead is called)."""
    states = tuple(lead.states or ())
    return LeadFacts(
        phone=lead.phone,
        timezones=tuple(lead.timezones or ()),
        states=states,
        country=_country(states, country),
        line_type=str(lead.line_type),
        consent_type=str(lead.consent_type),
        consent_date=lead.consent_date,
        ebr_purchase_date=lead.ebr_purchase_date,
        ebr_inquiry_date=lead.ebr_inquiry_date,
        written_permission=bool(lead.written_permission),
        debt_id=lead.debt_id,
        lead_id=lead.id,
    )


def campaign_facts(campaign: Campaign) -> CampaignFacts:
    return CampaignFacts(
        campaign_id=campaign.id,
        purpose=str(campaign.purpose),
        dial_mode=str(campaign.dial_mode),
        country=campaign.country,
        local_start=campaign.local_start,
        local_end=campaign.local_end,
        max_attempts=campaign.max_attempts,
        max_attempts_per_day=campaign.max_attempts_per_day,
        abandon_target=campaign.abandon_target,
    )


def campaign_setup(campaign: Campaign) -> Setup:
    return Setup(
        name=campaign.name,
        purpose=str(campaign.purpose),
        dial_mode=str(campaign.dial_mode),
        caller_id=campaign.caller_id,
        country=campaign.country,
        safe_harbor_message=campaign.safe_harbor_message,
        abandon_target=campaign.abandon_target,
    )

"""Campaign use cases: create, list, show, update, archive. The caller owns the session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.enums import CampaignStatus, DialMode, LeadStatus, Purpose
from campaigns.models import Campaign, Lead, LeadList
from compliance.caps import legal_abandon_cap
from dialer.errors import ConflictError, InputError, NotFoundError

__all__ = [
    "CampaignSpec",
    "archive_campaign",
    "create_campaign",
    "get_campaign",
    "get_or_create_list",
    "lead_counts",
    "list_campaigns",
    "update_campaign",
    "validate_caller_id",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class CampaignSpec:
    """User-given campaign settings; ``None`` means "leave as is" for updates."""

    purpose: Purpose | None = None
    caller_id: str | None = None
    dial_mode: DialMode | None = None
    abandon_target: float | None = None
    country: str | None = None
    local_start: str | None = None
    local_end: str | None = None
    max_attempts: int | None = None
    ring_timeout_s: int | None = None
    safe_harbor_message: str | None = None
    script: str | None = None


def validate_caller_id(value: str, country: str = "US") -> str:
    """Return ``value`` as E.164 or raise :class:`InputError`."""
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException as exc:
        raise InputError(f"caller ID {value!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InputError(
            f"caller ID {value!r} is not a valid number (use E.164, e.g. +14155550100)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validated(spec: CampaignSpec, current: Campaign | None) -> dict[str, Any]:
    values = {k: v for k, v in spec.__dict__.items() if v is not None}
    country = str(values.get("country") or (current.country if current else "US")).upper()
    values["country"] = country
    cap = legal_abandon_cap(country)
    target = values.get("abandon_target")
    if target is not None and not 0 <= target <= cap:
        raise InputError(
            f"abandon target {target} must be between 0 and the legal cap {cap} in {country}"
        )
    if "caller_id" in values:
        values["caller_id"] = validate_caller_id(values["caller_id"], country)
    for key in ("local_start", "local_end"):
        if key in values and not _HHMM.match(values[key]):
            raise InputError(f"{key.replace('_', '-')} must be HH:MM (24 h), not {values[key]!r}")
    if values.get("max_attempts", 1) < 1 or values.get("ring_timeout_s", 15) < 15:
        raise InputError("max attempts must be at least 1 and ring timeout at least 15 s")
    return values


def create_campaign(session: Session, name: str, spec: CampaignSpec, now: datetime) -> Campaign:
    if not name.strip():
        raise InputError("campaign name must not be empty")
    if spec.purpose is None or spec.caller_id is None:
        raise InputError("a campaign needs a purpose and a caller ID")
    values = _validated(spec, None)
    values.setdefault("abandon_target", legal_abandon_cap(values["country"]))
    campaign = Campaign(name=name.strip(), created_at=now, updated_at=now, **values)
    session.add(campaign)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"a campaign named {name!r} exists already") from exc
    return campaign


def get_campaign(session: Session, name_or_id: str) -> Campaign:
    query = select(Campaign).where(Campaign.name == name_or_id)
    if name_or_id.isdigit():
        query = select(Campaign).where(
            (Campaign.name == name_or_id) | (Campaign.id == int(name_or_id))
        )
    campaign = session.scalars(query).first()
    if campaign is None:
        raise NotFoundError(f"no campaign named {name_or_id!r}")
    return campaign


def list_campaigns(session: Session, *, include_archived: bool = False) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.id)
    if not include_archived:
        query = query.where(Campaign.status != CampaignStatus.ARCHIVED)
    return list(session.scalars(query))


def update_campaign(
    session: Session, campaign: Campaign, spec: CampaignSpec, now: datetime
) -> Campaign:
    if campaign.status is CampaignStatus.ARCHIVED:
        raise ConflictError(f"campaign {campaign.name!r} is archived")
    for key, value in _validated(spec, campaign).items():
        setattr(campaign, key, value)
    if campaign.abandon_target > legal_abandon_cap(campaign.country):
        raise InputError(
            f"abandon target {campaign.abandon_target} exceeds the legal cap in {campaign.country}"
        )
    campaign.updated_at = now
    return campaign


def archive_campaign(campaign: Campaign, now: datetime) -> Campaign:
    campaign.status = CampaignStatus.ARCHIVED
    campaign.updated_at = now
    return campaign


def get_or_create_list(session: Session, campaign: Campaign, name: str, now: datetime) -> LeadList:
    found = session.scalars(
        select(LeadList).where(LeadList.campaign_id == campaign.id, LeadList.name == name)
    ).first()
    if found is not None:
        return found
    lead_list = LeadList(campaign_id=campaign.id, name=name, created_at=now)
    session.add(lead_list)
    session.flush()
    return lead_list


def lead_counts(session: Session, campaign: Campaign) -> dict[LeadStatus, int]:
    rows = session.execute(
        select(Lead.status, func.count())
        .where(Lead.campaign_id == campaign.id)
        .group_by(Lead.status)
    )
    return {row[0]: row[1] for row in rows}

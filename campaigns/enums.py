"""Value sets of the campaign domain, stored as their string values."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CampaignStatus", "ConsentType", "DialMode", "LeadStatus", "LineType", "Purpose"]


class Purpose(StrEnum):
    TELEMARKETING = "telemarketing"
    SURVEY = "survey"
    APPOINTMENT = "appointment"
    COLLECTIONS = "collections"


class DialMode(StrEnum):
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    POWER = "power"
    PREDICTIVE = "predictive"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class LeadStatus(StrEnum):
    NEW = "new"  # imported, never dialed
    NOT_DIALABLE = "not_dialable"  # imported but cannot be dialed (reason in status_reason)
    CALLBACK = "callback"  # an agent scheduled a callback
    RETRY = "retry"  # waiting for next_eligible_at after a failed attempt
    IN_PROGRESS = "in_progress"  # claimed by a dialer (see lease columns)
    DONE = "done"  # final disposition reached
    DNC = "dnc"  # on a do-not-call list by request


class ConsentType(StrEnum):
    EXPRESS_WRITTEN = "express_written"
    EXPRESS = "express"
    NONE = "none"


class LineType(StrEnum):
    WIRELESS = "wireless"
    LANDLINE = "landline"
    VOIP = "voip"
    UNKNOWN = "unknown"

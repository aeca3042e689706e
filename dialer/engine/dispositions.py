"""Dispositions and retry rules: data (``dispositions.yaml``) plus one pure evaluator.

:func:`rules_for` merges the system rules, a campaign's own dispositions and its overrides
(``Campaign.retry_rules``); :func:`lead_after` says what an attempt's disposition does to the lead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from campaigns.enums import LeadStatus
from dialer.errors import InputError

__all__ = [
    "DATA_FILE",
    "LeadUpdate",
    "Recycling",
    "Rule",
    "callback_grace_s",
    "lead_after",
    "opt_out_digits",
    "recycling",
    "rules_for",
    "system_rules",
]

DATA_FILE = Path(__file__).with_name("dispositions.yaml")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    final: bool = False
    retry_after_s: float | None = None
    max_attempts: int | None = None
    dnc: bool = False
    callback: bool = False
    agent: bool = False  # an agent may pick it


@dataclass(frozen=True, slots=True)
class LeadUpdate:
    """What happens to a lead after an attempt."""

    status: LeadStatus
    next_eligible_at: datetime | None
    reason: str


def _rule(name: str, raw: Mapping[str, Any], base: Rule | None = None) -> Rule:
    known = {"final", "retry_after_s", "max_attempts", "dnc", "callback", "agent"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"disposition {name!r}: unknown field(s) {', '.join(unknown)}")
    rule = base or Rule(name)
    return replace(rule, **dict(raw))


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return data


def system_rules() -> dict[str, Rule]:
    return {name: _rule(name, raw) for name, raw in _data()["dispositions"].items()}


@dataclass(frozen=True, slots=True)
class Recycling:
    after_days: float
    dispositions: tuple[str, ...]


def recycling() -> Recycling:
    raw = _data()["recycle"]
    return Recycling(float(raw["after_days"]), tuple(str(d) for d in raw["dispositions"]))


def callback_grace_s() -> float:
    return float(_data()["callback_grace_s"])


def opt_out_digits() -> str:
    return str(_data()["opt_out_digits"])


def rules_for(
    custom: Sequence[str] = (), overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Rule]:
    """System rules, plus a campaign's dispositions (final, picked by agents), plus overrides."""
    rules = system_rules()
    for name in custom:
        rules.setdefault(name, Rule(name, final=True, agent=True))
    for name, raw in (overrides or {}).items():
        if not isinstance(raw, Mapping):
            raise InputError(f"retry rule for {name!r} must be a mapping")
        base = rules.get(name, Rule(name, agent=True))
        rules[name] = _rule(name, raw, base)
    return rules


def lead_after(
    rule: Rule,
    attempts: int,
    at: datetime,
    campaign_max_attempts: int,
    callback_at: datetime | None = None,
) -> LeadUpdate:
    """The lead's new status after an attempt ended with ``rule`` (``attempts`` made so far)."""
    if rule.dnc:
        return LeadUpdate(LeadStatus.DNC, None, f"{rule.name}: do not call")
    if rule.callback and callback_at is not None:
        return LeadUpdate(LeadStatus.CALLBACK, callback_at, f"{rule.name}: callback")
    if rule.final or rule.retry_after_s is None:
        return LeadUpdate(LeadStatus.DONE, None, rule.name)
    limit = min(rule.max_attempts or campaign_max_attempts, campaign_max_attempts)
    if attempts >= limit:
        return LeadUpdate(LeadStatus.DONE, None, f"{rule.name}: {attempts} attempts made")
    return LeadUpdate(LeadStatus.RETRY, at + timedelta(seconds=rule.retry_after_s), rule.name)

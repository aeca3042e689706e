"""The rules data (``data/rules.yaml``) as validated, frozen value objects.

:func:`load_rules` reads and validates the file once; anything malformed is a
:class:`~dialer.errors.ComplianceDataError` naming the offending key. Every rule carries its id
(``<jurisdiction>.<purpose>.<kind>[.<n>]``), its source and whether the source was verified.

The value objects compare and hash by identity: they are built once per load and serve as cheap
cache keys for the evaluators.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from compliance.ruledata import (
    CONSENT_LEVELS,
    DAY_KINDS,
    EXEMPTIONS,
    LINE_SCOPES,
    PURPOSES,
    SCOPES,
    Reader,
    parse_span,
)
from dialer.errors import ComplianceDataError

__all__ = [
    "AbandonCap",
    "CapRule",
    "ConsentRule",
    "ConversationRule",
    "DayRule",
    "DncRule",
    "HolidayCalendar",
    "Jurisdiction",
    "PurposeRules",
    "RuleBook",
    "WindowRule",
    "default_rules",
    "load_rules",
]

# A day's allowed local span in minutes [start, end); (0, 0) = closed; None = no limit.
DayRule = tuple[int, int] | None


@dataclass(frozen=True, slots=True, eq=False)
class WindowRule:
    rule_id: str
    source: str
    verified: bool
    weekdays: DayRule
    sat: DayRule
    sun: DayRule
    holidays: DayRule
    automated_only: bool = False

    def describe(self) -> str:
        return ", ".join(f"{k} {_fmt_day(getattr(self, k))}" for k in DAY_KINDS)


@dataclass(frozen=True, slots=True, eq=False)
class ConsentRule:
    rule_id: str
    source: str
    verified: bool
    level: str  # express | express_written
    lines: str  # wireless | any


@dataclass(frozen=True, slots=True, eq=False)
class DncRule:
    rule_id: str
    source: str
    verified: bool
    registry: str  # national, national:CA, state:FL
    max_age_days: int
    required: bool
    exemptions: frozenset[str]


@dataclass(frozen=True, slots=True, eq=False)
class CapRule:
    rule_id: str
    source: str
    verified: bool
    max_calls: int
    period: timedelta
    per: str  # number | purpose | campaign | debt
    unless_consent: bool = False
    abandoned_only: bool = False
    automated_only: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class ConversationRule:
    rule_id: str
    source: str
    verified: bool
    block: timedelta
    per: str


@dataclass(frozen=True, slots=True, eq=False)
class PurposeRules:
    jurisdiction: str
    purpose: str
    applies: bool
    source: str
    verified: bool
    windows: tuple[WindowRule, ...] = ()
    consent: tuple[ConsentRule, ...] = ()
    dnc: tuple[DncRule, ...] = ()
    caps: tuple[CapRule, ...] = ()
    after_conversation: ConversationRule | None = None


@dataclass(frozen=True, slots=True, eq=False)
class HolidayCalendar:
    country: str
    subdiv: str | None = None
    extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Jurisdiction:
    code: str  # "US", "US-FL", "CA", "CA-BC", "GB"
    country: str
    name: str
    holidays: HolidayCalendar
    purposes: Mapping[str, PurposeRules]


@dataclass(frozen=True, slots=True, eq=False)
class AbandonCap:
    country: str
    max_rate: float
    period_days: int
    source: str
    verified: bool


@dataclass(frozen=True, slots=True, eq=False)
class RuleBook:
    version: str  # sha256 prefix of the file: stored with every decision
    jurisdictions: Mapping[str, Jurisdiction]
    abandonment: Mapping[str, AbandonCap]
    automated_modes: frozenset[str]
    company_dnc_source: str

    def jurisdiction(self, code: str) -> Jurisdiction | None:
        return self.jurisdictions.get(code)

    def is_automated(self, dial_mode: str) -> bool:
        return dial_mode in self.automated_modes


def _fmt_day(day: DayRule) -> str:
    if day is None:
        return "no limit"
    if day == (0, 0):
        return "closed"
    return f"{day[0] // 60:02d}:{day[0] % 60:02d}-{day[1] // 60:02d}:{day[1] % 60:02d}"


@cache
def default_rules() -> RuleBook:
    """The packaged rules (validated once per process)."""
    text = resources.files("compliance").joinpath("data/rules.yaml").read_text("utf-8")
    return parse_rules(text, "compliance/data/rules.yaml")


def load_rules(path: Path | None = None) -> RuleBook:
    """Read and validate a rules file (the packaged one by default)."""
    if path is None:
        return default_rules()
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ComplianceDataError(f"cannot read rules file {path}: {exc}") from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, name: str) -> RuleBook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ComplianceDataError(f"{name}: not valid YAML: {exc}") from exc
    root = Reader(data, name)
    if root.get("schema_version", int) != 1:
        raise ComplianceDataError(f"{name}: schema_version must be 1")
    modes = frozenset(root.str_list("automated_dial_modes"))
    abandonment = {
        code.upper(): _abandon(code.upper(), r) for code, r in root.mapping("abandonment").items()
    }
    jurisdictions = {
        code: _jurisdiction(code, r) for code, r in root.mapping("jurisdictions").items()
    }
    company = root.child("company_dnc").get("source", str)
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    book = RuleBook(version, jurisdictions, abandonment, modes, company)
    _check_federal_layers(book, name)
    return book


def _check_federal_layers(book: RuleBook, name: str) -> None:
    for code, jur in book.jurisdictions.items():
        if "-" in code and jur.country not in book.jurisdictions:
            raise ComplianceDataError(f"{name}: {code} has no federal layer {jur.country}")
        if "-" in code and not code.startswith(jur.country + "-"):
            raise ComplianceDataError(f"{name}: {code} must start with its country {jur.country}")


def _abandon(code: str, r: Reader) -> AbandonCap:
    rate = r.get("max_rate", float)
    if not 0 <= rate <= 1:
        raise ComplianceDataError(f"{r.where}.max_rate: must be between 0 and 1")
    return AbandonCap(code, rate, r.get("period_days", int), r.get("source", str), r.verified())


def _jurisdiction(code: str, r: Reader) -> Jurisdiction:
    cal = r.child("holidays")
    calendar = HolidayCalendar(
        cal.get("country", str),
        cal.optional("subdiv", str),
        tuple(cal.str_list("extra", required=False)),
    )
    purposes = r.mapping("purposes")
    missing = sorted(set(PURPOSES) - set(purposes))
    unknown = sorted(set(purposes) - set(PURPOSES))
    if missing or unknown:
        raise ComplianceDataError(
            f"{r.where}.purposes: missing {missing or 'none'}, unknown {unknown or 'none'} "
            f"(every jurisdiction lists {', '.join(PURPOSES)})"
        )
    rules = {p: _purpose(code, p, purposes[p]) for p in PURPOSES}
    return Jurisdiction(code, r.get("country", str), r.get("name", str), calendar, rules)


def _purpose(code: str, purpose: str, r: Reader) -> PurposeRules:
    source, verified = r.get("source", str), r.verified()
    base = f"{code}.{purpose}"
    if not r.optional("applies", bool, default=True):
        return PurposeRules(code, purpose, False, source, verified)

    def ids(kind: str, items: list[Reader]) -> list[tuple[str, Reader, str, bool]]:
        many = len(items) > 1
        return [
            (
                f"{base}.{kind}" + (f".{i + 1}" if many else ""),
                item,
                item.optional("source", str, default=source),
                item.optional("verified", bool, default=verified),
            )
            for i, item in enumerate(items)
        ]

    windows = tuple(_window(*x) for x in ids("window", r.items("windows")))
    consent = tuple(_consent(*x) for x in ids("consent", r.items("consent")))
    dnc = tuple(_dnc(*x) for x in ids("dnc", r.items("dnc")))
    caps = tuple(_cap(*x) for x in ids("cap", r.items("caps")))
    conv = None
    if r.has("after_conversation"):
        c = r.child("after_conversation")
        conv = ConversationRule(
            f"{base}.after_conversation",
            c.optional("source", str, default=source),
            c.optional("verified", bool, default=verified),
            timedelta(days=c.get("days", int)),
            c.choice("per", SCOPES),
        )
    return PurposeRules(code, purpose, True, source, verified, windows, consent, dnc, caps, conv)


def _window(rule_id: str, r: Reader, source: str, verified: bool) -> WindowRule:
    days = r.child("days")
    spans = {k: parse_span(days.raw(k), f"{days.where}.{k}") for k in DAY_KINDS}
    return WindowRule(
        rule_id,
        source,
        verified,
        spans["weekdays"],
        spans["sat"],
        spans["sun"],
        spans["holidays"],
        r.optional("automated_only", bool, default=False),
    )


def _consent(rule_id: str, r: Reader, source: str, verified: bool) -> ConsentRule:
    return ConsentRule(
        rule_id, source, verified, r.choice("level", CONSENT_LEVELS), r.choice("lines", LINE_SCOPES)
    )


def _dnc(rule_id: str, r: Reader, source: str, verified: bool) -> DncRule:
    exemptions = r.str_list("exemptions", required=False)
    bad = sorted(set(exemptions) - set(EXEMPTIONS))
    if bad:
        raise ComplianceDataError(f"{r.where}.exemptions: unknown {bad} (known: {EXEMPTIONS})")
    age = r.get("max_age_days", int)
    if age < 1:
        raise ComplianceDataError(f"{r.where}.max_age_days: must be at least 1")
    return DncRule(
        rule_id,
        source,
        verified,
        r.get("registry", str),
        age,
        r.get("required", bool),
        frozenset(exemptions),
    )


def _cap(rule_id: str, r: Reader, source: str, verified: bool) -> CapRule:
    hours, days = r.optional("period_hours", int), r.optional("period_days", int)
    if (hours is None) == (days is None):
        raise ComplianceDataError(f"{r.where}: give exactly one of period_hours, period_days")
    period = timedelta(hours=hours) if hours is not None else timedelta(days=days or 0)
    max_calls = r.get("max", int)
    if max_calls < 1 or period <= timedelta(0):
        raise ComplianceDataError(f"{r.where}: max and the period must be positive")
    return CapRule(
        rule_id,
        source,
        verified,
        max_calls,
        period,
        r.choice("per", SCOPES),
        r.optional("unless_consent", bool, default=False),
        r.optional("abandoned_only", bool, default=False),
        r.optional("automated_only", bool, default=False),
    )
